# GS-LoRA++, few-shot: the GS-LoRA 4-shot run plus prototype regularisation
# with the papers' few-shot settings (BND_pro 50, per-task w_f).
_base_ = '../gs_lora/gs-lora_vit-6b_numbers_continual-4shot.py'

train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=50.0,
            forget_weight=[0.015, 0.06, 0.025, 0.012], retain_weight=0.0)))
