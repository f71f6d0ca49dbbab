# GS-LoRA on ImageNet100 with ViT-B/16, 4 tasks x 20 classes
# (100-20, 80-20, 60-20, 40-20), hyper-parameters of the papers: rank 8,
# BND 105, alpha 1e-4, beta 0.2/0.25/0.25/0.25.
_base_ = [
    '../_base_/protocols/vit-b16_imagenet100_continual.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=8, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=105.0,
            loss_weight=[0.2, 0.25, 0.25, 0.25])))
