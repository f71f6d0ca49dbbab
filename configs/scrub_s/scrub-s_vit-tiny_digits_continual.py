# SCRUB-S on the digits (4 x 2): the protocol every method
# shares, with the papers' face hyper-parameters.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.0001, weight_decay=5e-4))
train_cfg = dict(
    method=dict(
        type='mmforget.SCRUBS',
        smoothing=0.1, retain_weight=0.99, kd_weight=0.001))
