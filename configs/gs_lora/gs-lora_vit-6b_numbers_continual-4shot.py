# GS-LoRA, few-shot: the numbers protocol's 4-shot setting (4 training
# images of every forget and retain number per task, batch 4 + 4) with the
# papers' few-shot beta list.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual-4shot.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=4, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=16.0,
            loss_weight=[0.3, 0.4, 0.28, 0.2])))
