# RL (random labels + replay, every weight trains) on the digits (4 x 2):
# the protocol every method shares.
_base_ = '../_base_/forgetting/vit-tiny_digits_continual.py'

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.001, weight_decay=0.05))
train_cfg = dict(
    method=dict(
        _delete_=True, type='mmforget.RandomLabel', frozen=[]))
