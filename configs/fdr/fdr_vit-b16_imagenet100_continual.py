# FDR, ImageNet100, continual 4 x 20: the papers' baseline run (the
# papers' ImageNet100 protocol, no LoRA, every weight but the head
# trains) and hyper-parameters.
_base_ = [
    '../_base_/protocols/vit-b16_imagenet100_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(
    method=dict(
        type='mmforget.FDR',
        logit_weight=40.0))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=100, eta_min=1e-8,
         convert_to_iter_based=True)
]
