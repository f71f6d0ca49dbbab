# Few-shot GS-LoRA++ on the tiny shapes Deformable DETR: the values of
# ../gs_lora/gs-lora_deformable-detr-tiny_shapes_continual-8shot.py plus
# head-row prototypes (BND_pro 18, w_f 0.005, as in the papers).
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual-8shot.py'

model = dict(lora=dict(rank=8))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=15.0,
            loss_weight=[0.3, 0.4]),
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0, forget_weight=0.005,
            retain_weight=0.0),
        forget_scope='matched'))
# The group-sparse wrapper merged on the protocol's AdamW, as in
# ../gs_lora/gs-lora_deformable-detr-tiny_shapes_continual-8shot.py.
optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    alpha=3e-4)
