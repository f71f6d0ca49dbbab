# GS-LoRA, few-shot: the digits protocol's 4-shot setting (4 training images
# of every forget and retain digit per task, batch 4 + 4, 50 epochs) with
# the papers' few-shot beta list.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual-4shot.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=4, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=12.0,
            loss_weight=[0.3, 0.4, 0.28, 0.2])))
