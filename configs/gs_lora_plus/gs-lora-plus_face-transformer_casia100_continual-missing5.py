# GS-LoRA++, faces, continual 4 x 20 with 5 identities missing: w_f 3e-4.
_base_ = '../gs_lora/gs-lora_face-transformer_casia100_continual-missing5.py'

train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0, forget_weight=3e-4,
            retain_weight=0.0)))
