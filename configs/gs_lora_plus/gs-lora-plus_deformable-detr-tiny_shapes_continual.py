# GS-LoRA++ on the tiny shapes Deformable DETR: GS-LoRA plus prototype
# regularisation (prototypes: rows of the pre-trained classification head).
_base_ = '../detection/gs-lora_deformable-detr-tiny_shapes_continual.py'

train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0, forget_weight=0.005,
            retain_weight=0.0)))
