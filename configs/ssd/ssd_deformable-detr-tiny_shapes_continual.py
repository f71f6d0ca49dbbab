# SSD on the tiny shapes Deformable DETR (training-free): the importance of
# a weight is its mean squared gradient of the detector's set loss, on the
# images showing a forgotten class versus all the first task's images;
# alpha 5, lambda 1 (the authors' ViT values).
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual.py'

train_cfg = dict(
    max_epochs=0,
    method=dict(
        type='mmforget.SSD', alpha=5.0, dampening=1.0))
param_scheduler = None
# Built by the loop, never stepped: the protocol's optimizer made an SGD
# with lr 0 (its weight decay and gradient clip then have no effect).
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.0))
