# SLUG, few-shot: the numbers protocol's 4-shot setting (4 training
# images of every forget and retain number per task, batch 4 + 4) with
# the values of slug_vit-6b_numbers_continual.py.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual-4shot.py',
    '../_base_/methods/training_free.py'
]

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(
        type='mmforget.SLUG', max_layers=4, search_steps=10,
        forget_threshold=1.0))
param_scheduler = None
