# GA, bounded, on the tiny shapes Deformable DETR: ReLU(BND - L_cls) on the
# forget images (every query's classification loss, the papers' detector
# forget term; BND as GS-LoRA's 15), every weight trains, no retain image
# enters the loss.
_base_ = '../detection/gs-lora_deformable-detr-tiny_shapes_continual.py'

model = dict(lora=None)
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-5, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2))
train_cfg = dict(
    method=dict(_delete_=True, type='mmforget.GradientAscent', bound=15.0))
