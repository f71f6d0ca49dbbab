# SalUn on the tiny shapes Deformable DETR: the mask keeps the half of the
# weights with the largest gradient of the forget images' set loss, then RL
# (forgotten boxes relabelled with random kept classes + retain images) on
# those weights only.
_base_ = '../detection/gs-lora_deformable-detr-tiny_shapes_continual.py'

model = dict(lora=None)
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2))
train_cfg = dict(
    method=dict(_delete_=True, type='mmforget.SalUn', saliency=0.5))
