# GA (gradient ascent on the forget data, unbounded; OPTML's GA) on
# the handwritten numbers (4 x 20): the protocol every method shares; every weight trains.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=1e-05))
train_cfg = dict(
    method=dict(
        type='mmforget.GradientAscent'))
