# GS-LoRA++, faces, continual 4 x 20: GS-LoRA plus prototype regularisation
# (BND_pro 18, w_f 0.01 for every task, w_r 0, temperature 1).
_base_ = '../gs_lora/gs-lora_face-transformer_casia100_continual.py'

train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0, forget_weight=0.01,
            retain_weight=0.0)))
