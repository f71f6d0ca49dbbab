# Retrain, faces, continual 4 x 20: per task a randomly initialised Face
# Transformer trained on the kept identities, the papers' Retrain settings
# (AdamW lr 3e-4 wd 0.05, 5 warm-up epochs, cosine to 1e-5, 100 epochs,
# batch 48). A true retrain on the whole kept training split (data_ratio
# 1); the papers' variant trains on the 10 % subset of the other methods:
# `--cfg-options train_dataloader.dataset.data_ratio=0.1`.
_base_ = [
    '../_base_/protocols/face-transformer_casia100_continual.py',
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
