# MetaUnlearn on the digits (4 x 2), every forget image of the task as
# the support (its own setting is one portrait: the -1portrait config). The
# learned loss is meta-trained at the start of each task on simulated
# requests among the kept digits only (200 of them), then takes one step
# (eta 0.1, 1-SHUI's) of every weight.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/training_free.py'
]

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(type='mmforget.MetaUnlearn', step_size=0.1, meta_steps=200,
                meta_lr=1e-4))
param_scheduler = None
