# GA, bounded: ReLU(BND - CE) on the forget data (BND as GS-LoRA's) on
# the digits (4 x 2): the protocol every method shares; every weight trains.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.0001))
train_cfg = dict(
    method=dict(
        type='mmforget.GradientAscent', bound=16.0))
