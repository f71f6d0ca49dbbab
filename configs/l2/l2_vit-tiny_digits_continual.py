# L2 on the digits (4 x 2): the protocol every method
# shares, with the papers' face hyper-parameters.
_base_ = '../_base_/forgetting/vit-tiny_digits_continual.py'

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, weight_decay=0.05))
train_cfg = dict(
    method=dict(
        _delete_=True, type='mmforget.L2',
        penalty_weight=0.1))
