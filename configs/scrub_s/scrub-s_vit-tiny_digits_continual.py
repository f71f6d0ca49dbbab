# SCRUB-S on the digits (4 x 2): the protocol every method
# shares, with the papers' face hyper-parameters.
_base_ = '../_base_/forgetting/vit-tiny_digits_continual.py'

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='Adam', lr=0.0001, weight_decay=5e-4))
train_cfg = dict(
    method=dict(
        _delete_=True, type='mmforget.SCRUBS',
        smoothing=0.1, retain_weight=0.99, kd_weight=0.001))
