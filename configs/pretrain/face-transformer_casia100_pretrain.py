# Pre-training of the Face Transformer on CASIA-100 with CosFace (papers:
# AdamW lr 3e-4, 10 warm-up epochs, cosine, 1200 epochs, batch 480 on 8 GPUs).
_base_ = [
    '../_base_/models/face-transformer_casia100.py',
    '../_base_/datasets/casia100.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmforget'], allow_failed_imports=False)

train_dataloader = dict(batch_size=60)  # x 8 GPUs = 480
val_dataloader = _base_.test_dataloader
val_evaluator = _base_.test_evaluator
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=3e-4, weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=10, end=1200,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=1200, val_interval=50)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(checkpoint=dict(interval=50, max_keep_ckpts=2))
