# GS-LoRA on the tiny shapes Deformable DETR: 2 tasks, each forgetting one
# shape (5-1, 4-1). `make demo-detection` runs it.
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual.py'

model = dict(lora=dict(rank=8))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=15.0, loss_weight=0.15)))
# The group-sparse wrapper on the protocol's AdamW (its gradient clip kept):
# merged, as configs/_base_/methods/gs_lora.py cannot be combined with a
# protocol that already has an optimizer.
optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    alpha=3e-4)
