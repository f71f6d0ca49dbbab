# PRR on the tiny shapes DINO (tasks ring, then triangle), with the values
# of prr_deformable-detr-tiny_shapes_continual.py (alpha_f 30: a
# detector's forget and retain images share almost every direction).
_base_ = '../_base_/protocols/dino-tiny_shapes_continual.py'

model = dict(lora=dict(rank=8))
train_cfg = dict(
    method=dict(type='mmforget.ProjectResetRepair', alpha_r=100.0,
                alpha_f=30.0, max_samples=1000, head_value=0.0,
                head_bias=-30.0))
optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    alpha=3e-4)
