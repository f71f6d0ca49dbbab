# The tiny DINO (configs/_base_/models/dino-tiny_shapes.py) trained on the
# shapes data with the tiny Deformable DETR's data and schedule.
_base_ = [
    './deformable-detr-tiny_shapes.py', '../_base_/models/dino-tiny_shapes.py'
]

model = dict(_base_.dino_tiny_shapes, _delete_=True)
