# GS-LoRA++ on R50 Deformable DETR, COCO 2017, 7 x 10 classes: the values
# of ../gs_lora/gs-lora_deformable-detr_r50_coco_continual.py plus
# prototype regularisation (BND_pro 18, w_f 0.005) with 32 images per class.
_base_ = '../_base_/protocols/deformable-detr_r50_coco_continual.py'

train_dataloader = dict(dataset=dict(few_shot=32))
model = dict(lora=dict(rank=8))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=15.0,
            loss_weight=[0.15, 0.15, 0.35, 0.6, 0.15, 0.2, 0.2]),
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0, forget_weight=0.005,
            retain_weight=0.0)))
# The group-sparse wrapper merged on the protocol's AdamW, as in
# ../gs_lora/gs-lora_deformable-detr_r50_coco_continual.py.
optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=3e-4, weight_decay=1e-4),
    alpha=3e-4)
