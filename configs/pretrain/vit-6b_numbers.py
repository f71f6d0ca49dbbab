# The 6-block ViT trained from scratch on the handwritten numbers: the
# pre-trained model that the numbers forgetting configs start from.
_base_ = [
    '../_base_/models/vit-6b_numbers.py',
    '../_base_/datasets/handwritten_numbers.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmforget'], allow_failed_imports=False)

# A one-pixel random shift, as for the digits.
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='RandomCrop', crop_size=(8, 16), padding=1),
        dict(type='PackInputs'),
    ]))

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=True, end=2,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=2, end=25,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=25, val_interval=5)
val_cfg = dict()
test_cfg = dict()

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=10, max_keep_ckpts=1, save_last=True))
randomness = dict(seed=0, deterministic=False)
