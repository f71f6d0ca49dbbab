# GS-LoRA++ on the numbers ViT: GS-LoRA plus prototype regularisation.
_base_ = '../gs_lora/gs-lora_vit-6b_numbers_continual.py'

train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0, forget_weight=0.01,
            retain_weight=0.0, temperature=1.0)))
