# S3T's training on the digits: a base ViT on the digits 0-5 (never
# deleted), the digits 6-9 in two slices (6-7, 8-9), both slice orders,
# each step training the adapters of two of the four blocks from the top
# down and the head. Writes <work_dir>/s3t_store.
_base_ = [
    '../_base_/models/vit-tiny_digits.py',
    '../_base_/datasets/digits.py',
    'mmpretrain::_base_/default_runtime.py',
    '../_base_/methods/s3t_train.py',
]

model = dict(type='ForgettingClassifier', lora=dict(rank=4, alpha=1.0))
default_hooks = dict(checkpoint=None, logger=dict(interval=50))
randomness = dict(seed=0)

train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='RandomCrop', crop_size=8, padding=1),
        dict(type='PackInputs'),
    ]))
train_cfg = dict(slices=[[6, 7], [8, 9]], base_epochs=12)
