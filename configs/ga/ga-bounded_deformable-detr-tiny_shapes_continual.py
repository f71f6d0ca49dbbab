# GA, bounded, on the tiny shapes Deformable DETR: ReLU(BND - L_cls) on the
# forget images (every query's classification loss, the papers' detector
# forget term; BND as GS-LoRA's 15), every weight trains, no retain image
# enters the loss.
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual.py'

optim_wrapper = dict(optimizer=dict(lr=1e-5))
train_cfg = dict(
    method=dict(type='mmforget.GradientAscent', bound=15.0))
