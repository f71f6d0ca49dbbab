# RL on the tiny shapes Deformable DETR: every forgotten box relabelled with
# a random kept class (so the queries Hungarian matching gives it learn that
# class), the retain images with their own boxes; the detector's set loss on
# both, every weight trains.
_base_ = '../detection/gs-lora_deformable-detr-tiny_shapes_continual.py'

model = dict(lora=None)
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2))
train_cfg = dict(
    method=dict(_delete_=True, type='mmforget.RandomLabel', frozen=[]))
