# RL (random labels on the forget images + replay of the kept ones; OPTML's
# RL, every weight trains) on the handwritten numbers (4 x 20): the protocol
# every method shares.
_base_ = '../_base_/forgetting/vit-6b_numbers_continual.py'

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.001, weight_decay=0.05))
train_cfg = dict(
    method=dict(
        _delete_=True, type='mmforget.RandomLabel', frozen=[]))
