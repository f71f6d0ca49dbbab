# FT on the tiny shapes Deformable DETR: every weight fine-tuned with the
# detector's own set loss on the images of kept classes, the forgotten
# classes' boxes removed (they become background). No forget image is read.
_base_ = '../_base_/forgetting/deformable-detr-tiny_shapes_baselines.py'

train_cfg = dict(method=dict(_delete_=True, type='mmforget.FineTune'))
