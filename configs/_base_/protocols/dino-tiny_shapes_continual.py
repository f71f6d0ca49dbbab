# The tiny shapes protocol (tasks ring, then triangle) on the tiny shapes
# DINO, pre-trained by configs/pretrain/dino-tiny_shapes.py.
_base_ = [
    './deformable-detr-tiny_shapes_continual.py',
    '../models/dino-tiny_shapes.py'
]

# The Deformable DETR that the shapes protocol inherits from mmdet is
# replaced whole: its keys (e.g. `num_feature_levels`) are not DINO's.
model = dict(
    _base_.dino_tiny_shapes,
    _delete_=True,
    type='ForgettingDINO',
    pretrained='checkpoints/dino-tiny_shapes.pth')
