# GS-LoRA on the tiny shapes DINO, with the values of the Deformable DETR
# run (tasks ring, then triangle). The shapes DINO comes from
# `tools/train.py configs/pretrain/dino-tiny_shapes.py`.
_base_ = '../_base_/protocols/dino-tiny_shapes_continual.py'

model = dict(lora=dict(rank=8))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=15.0, loss_weight=0.15)))
# The group-sparse wrapper merged on the protocol's AdamW, as in
# gs-lora_deformable-detr-tiny_shapes_continual.py.
optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    alpha=3e-4)
