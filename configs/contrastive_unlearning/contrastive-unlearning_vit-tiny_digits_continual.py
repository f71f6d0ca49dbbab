# Contrastive Unlearning (each forget embedding pulled towards the batch's
# kept images and pushed from its own class's other forget images, the
# model's loss on the kept ones; every weight trains) on the digits (4 x 2).
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=3e-4))
train_cfg = dict(
    method=dict(type='mmforget.ContrastiveUnlearning', forget_weight=1.0,
                temperature=0.1))
