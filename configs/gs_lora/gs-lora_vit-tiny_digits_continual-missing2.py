# GS-LoRA, missing classes: the digits protocol's missing-class setting (2
# never-forgotten digits without training data, 3 tasks) with the values of
# gs-lora_vit-tiny_digits_continual.py.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual-missing2.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=4, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=12.0, loss_weight=0.2)))
