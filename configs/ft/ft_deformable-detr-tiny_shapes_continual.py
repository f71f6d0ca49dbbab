# FT on the tiny shapes Deformable DETR: every weight fine-tuned with the
# detector's own set loss on the images of kept classes, the forgotten
# classes' boxes removed (they become background). No forget image is read.
_base_ = '../detection/gs-lora_deformable-detr-tiny_shapes_continual.py'

model = dict(lora=None)
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2))
train_cfg = dict(method=dict(_delete_=True, type='mmforget.FineTune'))
