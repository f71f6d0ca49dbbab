# SSD on the tiny shapes Deformable DETR (training-free): the importance of
# a weight is its mean squared gradient of the detector's set loss, on the
# images showing a forgotten class versus all the first task's images;
# alpha 5, lambda 1 (the authors' ViT values).
_base_ = '../_base_/forgetting/deformable-detr-tiny_shapes_baselines.py'

train_cfg = dict(
    max_epochs=0,
    method=dict(
        _delete_=True, type='mmforget.SSD', alpha=5.0, dampening=1.0))
param_scheduler = None
# Built by the loop, never stepped.
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper', optimizer=dict(type='SGD', lr=0.0))
