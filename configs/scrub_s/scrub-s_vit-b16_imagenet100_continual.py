# SCRUB-S, ImageNet100, continual 4 x 20: the papers' baseline run (the
# papers' ImageNet100 protocol, no LoRA, every weight but the head
# trains) and hyper-parameters.
_base_ = [
    '../_base_/protocols/vit-b16_imagenet100_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.0001, weight_decay=5e-4))
train_cfg = dict(
    method=dict(
        type='mmforget.SCRUBS',
        smoothing=0.05, retain_weight=10.0, kd_weight=0.001))
