# GS-LoRA++ on R50 Deformable DETR, COCO 2017, 7 x 10 classes: prototype
# regularisation (BND_pro 18, w_f 0.005) with 32 images per class.
_base_ = '../detection/gs-lora_deformable-detr_r50_coco_continual.py'

train_dataloader = dict(dataset=dict(few_shot=32))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0, forget_weight=0.005,
            retain_weight=0.0)))
