# GS-LoRA++, faces, continual 4 x 20: GS-LoRA's face values plus prototype
# regularisation (BND_pro 18, w_f 0.01 for every task, w_r 0, temperature 1).
_base_ = [
    '../_base_/protocols/face-transformer_casia100_continual.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=8, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=105.0,
            loss_weight=[0.2, 0.25, 0.25, 0.2]),
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0,
            forget_weight=0.01, retain_weight=0.0)))
