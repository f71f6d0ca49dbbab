# The digits ViT trained to memorise its training images: the recipe of
# vit-tiny_digits.py without its one-pixel shift and for 300 epochs, so the
# training images score far better than unseen ones (a train / test gap a
# membership attack can read). The original of the memorising setting of
# the depth comparison (configs/comparisons/vit-tiny_digits-memorising_depth.py).
_base_ = ['./vit-tiny_digits.py']

train_dataloader = dict(dataset=dict(pipeline=[dict(type='PackInputs')]))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=True, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=5, end=300,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=300, val_interval=50)
default_hooks = dict(checkpoint=dict(interval=100))
