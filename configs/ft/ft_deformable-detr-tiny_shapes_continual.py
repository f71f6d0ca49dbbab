# FT on the tiny shapes Deformable DETR: every weight fine-tuned with the
# detector's own set loss on the images of kept classes, the forgotten
# classes' boxes removed (they become background). No forget image is read.
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual.py'

# The protocol's AdamW (gradient clip 0.1) at the papers' usual rate.
optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(method=dict(type='mmforget.FineTune'))
