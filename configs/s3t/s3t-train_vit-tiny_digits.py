# S3T's training on the digits: a base ViT on the digits 0-5 (never
# deleted), the digits 6-9 in two slices (6-7, 8-9), both slice orders,
# each step training the adapters of two of the four blocks from the top
# down and the head. Writes <work_dir>/s3t_store.
_base_ = [
    '../_base_/models/vit-tiny_digits.py',
    '../_base_/datasets/digits.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmforget'], allow_failed_imports=False)

model = dict(type='ForgettingClassifier', lora=dict(rank=4, alpha=1.0))
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='RandomCrop', crop_size=8, padding=1),
        dict(type='PackInputs'),
    ]))
train_cfg = dict(
    type='mmforget.SlicedTrainLoop',
    slices=[[6, 7], [8, 9]],
    base_epochs=12,
    epochs_per_step=3,
    step_lr=1e-2,
    batch_size=64)
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=1.0))
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(checkpoint=None, logger=dict(interval=50))
randomness = dict(seed=0)
