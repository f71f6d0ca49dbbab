# GS-LoRA on the digits ViT: 4 tasks forgetting 2 digits each
# (10-2, 8-2, 6-2, 4-2). `make demo` runs it.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=4, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=12.0, loss_weight=0.2)))
