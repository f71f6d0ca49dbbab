# What the unlearning field's baselines share on the tiny shapes Deformable
# DETR: the GS-LoRA protocol (tasks ring, then triangle; 10 epochs; batch 8
# retain + 8 forget images) without adapters, every weight trained by AdamW
# with the pre-training's gradient clip. Methods add `train_cfg.method`.
_base_ = '../../detection/gs-lora_deformable-detr-tiny_shapes_continual.py'

model = dict(lora=None)
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2))
