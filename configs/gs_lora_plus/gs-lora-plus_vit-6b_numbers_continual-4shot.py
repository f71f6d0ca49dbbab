# GS-LoRA++, few-shot: the numbers protocol's 4-shot setting, GS-LoRA's
# few-shot values plus prototype regularisation with the papers' few-shot
# settings (BND_pro 50, per-task w_f).
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual-4shot.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=4, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=16.0,
            loss_weight=[0.3, 0.4, 0.28, 0.2]),
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=50.0,
            forget_weight=[0.015, 0.06, 0.025, 0.012], retain_weight=0.0)))
