# GS-LoRA++, missing classes: the GS-LoRA missing-class run plus prototype
# regularisation (missing classes get no prototype: they have no data).
_base_ = '../gs_lora/gs-lora_vit-tiny_digits_continual-missing2.py'

train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0, forget_weight=0.01,
            retain_weight=0.0)))
