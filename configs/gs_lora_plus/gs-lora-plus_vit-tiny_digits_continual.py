# GS-LoRA++ on the digits ViT: the values of
# ../gs_lora/gs-lora_vit-tiny_digits_continual.py plus prototype
# regularisation.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=4, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=12.0,
            loss_weight=0.2),
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0,
            forget_weight=0.01, retain_weight=0.0, temperature=1.0)))
