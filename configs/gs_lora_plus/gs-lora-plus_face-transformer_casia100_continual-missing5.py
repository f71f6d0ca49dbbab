# GS-LoRA++, faces, continual 4 x 20 with 5 identities missing: GS-LoRA's
# missing-class values (sparsity warm-up, beta) plus prototypes, w_f 3e-4.
_base_ = [
    '../_base_/protocols/face-transformer_casia100_continual-missing5.py',
    '../_base_/methods/gs_lora.py'
]

optim_wrapper = dict(warmup_epochs=30, alpha_after_warmup=0.015)
model = dict(lora=dict(rank=8, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=105.0,
            loss_weight=[0.14, 0.14, 0.2, 0.15]),
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=18.0,
            forget_weight=0.0003, retain_weight=0.0)))
