# Few-shot GS-LoRA++ on the tiny shapes Deformable DETR: the 8-shot GS-LoRA
# config plus head-row prototypes (BND_pro 18, w_f 0.005, as in the papers).
_base_ = '../detection/gs-lora_deformable-detr-tiny_shapes_continual-8shot.py'

train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0, forget_weight=0.005,
            retain_weight=0.0)))
