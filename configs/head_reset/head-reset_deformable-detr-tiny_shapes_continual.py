# Head reset on the tiny shapes Deformable DETR (training-free; tasks ring,
# then triangle): the forgotten class's column of every decoder layer's class
# branch gets weights 0 and bias -30, the logit removed (a sigmoid score of
# 1e-13, never among the boxes kept). Everything else is the original's.
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual.py'

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(type='mmforget.HeadReset', value=0.0, bias=-30.0))
param_scheduler = None
# Built by the loop, never stepped: the protocol's optimizer made an SGD
# with lr 0 (its weight decay and gradient clip then have no effect).
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.0))
# Every weight is frozen (nothing trains), so a distributed run must not
# expect gradients for what DDP wrapped (ignored in a single process).
model_wrapper_cfg = dict(find_unused_parameters=True)
