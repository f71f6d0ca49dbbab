# Head reset on the tiny shapes DINO (training-free; tasks ring, then
# triangle): the settings of head-reset_deformable-detr-tiny_shapes_
# continual.py. DINO's proposal branch, which only picks where the queries
# start, is left as it is.
_base_ = '../_base_/protocols/dino-tiny_shapes_continual.py'

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(type='mmforget.HeadReset', value=0.0, bias=-30.0))
param_scheduler = None
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.0))
model_wrapper_cfg = dict(find_unused_parameters=True)
