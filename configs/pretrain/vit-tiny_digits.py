# The digits ViT trained from scratch: the pre-trained model that the digits
# forgetting configs start from.
_base_ = [
    '../_base_/models/vit-tiny_digits.py',
    '../_base_/datasets/digits.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmforget'], allow_failed_imports=False)

# A one-pixel random shift: the ViT overfits the 1078 training digits without.
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='RandomCrop', crop_size=8, padding=1),
        dict(type='PackInputs'),
    ]))

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=True, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=5, end=120,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=120, val_interval=20)
val_cfg = dict()
test_cfg = dict()

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=40, max_keep_ckpts=1, save_last=True))
randomness = dict(seed=0, deterministic=False)
