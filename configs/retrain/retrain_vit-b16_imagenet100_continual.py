# Retrain, ImageNet100, continual 4 x 20: per task a fresh ViT-B/16 trained
# on the kept classes with the papers' Retrain settings (AdamW lr 3e-4 wd
# 0.05, 5 warm-up epochs, cosine to 1e-5, 100 epochs, batch 48). A true
# retrain: random initialisation and the whole kept training split (the
# papers start from ImageNet-1k weights and use the 5 % subset, which is not
# a retrain: `--cfg-options train_dataloader.dataset.data_ratio=0.05`).
_base_ = [
    '../_base_/protocols/vit-b16_imagenet100_continual.py',
    '../_base_/methods/full_finetune.py'
]

train_dataloader = dict(dataset=dict(data_ratio=1.0))
optim_wrapper = dict(optimizer=dict(lr=3e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6 / 3e-4, by_epoch=True, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=5, end=100,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(method=dict(type='mmforget.Retrain'))
