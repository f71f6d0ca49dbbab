# SCRUB on the handwritten numbers (4 x 20): the protocol every method
# shares, with the papers' face hyper-parameters.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.0001, weight_decay=5e-4))
train_cfg = dict(
    method=dict(
        type='mmforget.SCRUB',
        smoothing=0.0, retain_weight=0.99, kd_weight=0.001))
