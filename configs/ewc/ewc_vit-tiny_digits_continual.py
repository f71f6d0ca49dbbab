# EWC on the digits (4 x 2): the protocol every method
# shares, with the papers' face hyper-parameters.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.0001))
train_cfg = dict(
    method=dict(
        type='mmforget.EWC',
        penalty_weight=10.0))
