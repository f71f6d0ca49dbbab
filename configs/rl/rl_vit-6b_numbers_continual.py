# RL (random labels on the forget images + replay of the kept ones; OPTML's
# RL, every weight trains) on the handwritten numbers (4 x 20): the protocol
# every method shares.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(
    method=dict(
        type='mmforget.RandomLabel', frozen=[]))
