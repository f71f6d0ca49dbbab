# GS-LoRA++, faces, continual 4 x 20, 4-shot: GS-LoRA's few-shot values,
# BND_pro 50, the papers' per-task w_f list, and the weight EMA from epoch
# 30 (decay 0.9).
_base_ = [
    '../_base_/protocols/face-transformer_casia100_continual-4shot.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=8, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=105.0,
            loss_weight=[0.3, 0.4, 0.28, 0.2]),
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=50.0,
            forget_weight=[0.015, 0.06, 0.025, 0.012], retain_weight=0.0)),
    ema=dict(begin_epoch=30, decay=0.9))
