# GS-LoRA++ on the digits ViT: GS-LoRA plus prototype regularisation.
_base_ = '../gs_lora/gs-lora_vit-tiny_digits_continual.py'

train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0, forget_weight=0.01,
            retain_weight=0.0, temperature=1.0)))
