# MetaUnlearn on the numbers (4 x 20), every forget image of the task as
# the support (its own setting is one portrait: the -1portrait config). The
# learned loss is meta-trained at the start of each task on simulated
# requests among the kept numbers only (200 of them), then takes one step
# (eta 0.1, 1-SHUI's) of every weight.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/training_free.py'
]

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(type='mmforget.MetaUnlearn', step_size=0.1, meta_steps=200,
                meta_lr=1e-4))
param_scheduler = None
