# GS-LoRA on the tiny shapes DINO, the protocol of the Deformable DETR run
# (tasks ring, then triangle). The shapes DINO comes from
# `tools/train.py configs/detection/dino-tiny_shapes.py`.
_base_ = [
    './gs-lora_deformable-detr-tiny_shapes_continual.py',
    '../_base_/models/dino-tiny_shapes.py'
]

model = dict(
    _base_.dino_tiny_shapes,
    _delete_=True,
    type='ForgettingDINO',
    pretrained='checkpoints/dino-tiny_shapes.pth',
    lora=dict(rank=8))
