# GS-LoRA, faces, continual 4 x 20 where 5 remaining identities have no
# training data (the face protocol's missing-class setting). Papers:
# sparsity warm-up 30 epochs then alpha 0.015, beta 0.14/0.14/0.2/0.15.
_base_ = [
    '../_base_/protocols/face-transformer_casia100_continual-missing5.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=8, alpha=1.0))
optim_wrapper = dict(warmup_epochs=30, alpha_after_warmup=0.015)
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=105.0,
            loss_weight=[0.14, 0.14, 0.2, 0.15])))
