# GS-LoRA, faces, continual 4 x 20 with 4 images per identity (forget and
# retain): the face protocol's 4-shot setting (batch 4) with the papers'
# few-shot beta list.
_base_ = [
    '../_base_/protocols/face-transformer_casia100_continual-4shot.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=8, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=105.0,
            loss_weight=[0.3, 0.4, 0.28, 0.2])))
