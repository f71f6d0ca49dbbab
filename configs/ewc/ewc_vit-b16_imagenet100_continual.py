# EWC, ImageNet100, continual 4 x 20: the papers' baseline run (the
# papers' ImageNet100 protocol, no LoRA, every weight but the head
# trains) and hyper-parameters.
_base_ = [
    '../_base_/protocols/vit-b16_imagenet100_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.0001))
train_cfg = dict(
    method=dict(
        type='mmforget.EWC',
        penalty_weight=3.0))
