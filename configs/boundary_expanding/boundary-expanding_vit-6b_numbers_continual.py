# Boundary Expanding (the forget images trained into a shadow class that is
# pruned at the end of each task) on the handwritten numbers (4 x 20): the
# protocol every method shares; every weight trains.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.0001))
train_cfg = dict(
    method=dict(type='mmforget.BoundaryExpanding'))
