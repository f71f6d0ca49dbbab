# SLUG (training-free: one gradient, one layer, the step searched on the
# validation split) on the handwritten numbers (4 x 20).
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/training_free.py'
]

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(
        type='mmforget.SLUG', max_layers=4, search_steps=10,
        forget_threshold=1.0))
param_scheduler = None
