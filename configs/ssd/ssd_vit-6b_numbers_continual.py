# SSD (training-free: dampen the weights far more important for the forget
# images than for all training images) on the handwritten numbers (4 x 20), with the authors' ViT
# values (alpha 5, lambda 1).
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/training_free.py'
]

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(
        type='mmforget.SSD', alpha=5.0, dampening=1.0))
param_scheduler = None
