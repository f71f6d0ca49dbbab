# Boundary Expanding (the forget images trained into a shadow class that is
# pruned at the end of each task) on the handwritten numbers (4 x 20): the
# protocol every method shares; every weight trains.
_base_ = '../_base_/forgetting/vit-6b_numbers_continual.py'

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, weight_decay=0.05))
train_cfg = dict(
    method=dict(_delete_=True, type='mmforget.BoundaryExpanding'))
