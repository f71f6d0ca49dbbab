# Boundary Shrink (each forget image trained towards the nearest wrong
# class of its FGSM neighbour) on the handwritten numbers (4 x 20): the protocol every method shares.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.0001))
train_cfg = dict(
    method=dict(
        type='mmforget.BoundaryShrink', eps=0.1))
