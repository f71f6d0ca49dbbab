# GS-LoRA, missing classes: the numbers protocol's missing-class setting
# (the first 5 numbers of the class order get no training data) with the
# values of gs-lora_vit-6b_numbers_continual.py.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual-missing5.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=4, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=16.0, loss_weight=0.2)))
