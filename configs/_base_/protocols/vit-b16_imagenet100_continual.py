# The papers' ImageNet100 protocol with ViT-B/16: 4 tasks x 20 classes
# (100-20, 80-20, 60-20, 40-20), class order seed 1337, batch 48, 100 epochs
# per task, data_ratio 0.05, no training augmentation, the last epoch of
# each task kept. No method, no optimizer: a method config adds its model
# parts (LoRA), `optim_wrapper` and `train_cfg.method`.
# Data: mmpretrain CustomDataset folder layout,
#   data/imagenet100/{train,val}/<wnid>/*.JPEG
# Weights: an ImageNet-1k ViT-B/16 whose head keeps the 100 rows of these
# classes, saved as a plain mmpretrain checkpoint.
_base_ = [
    'mmpretrain::_base_/models/vit-base-p16.py',
    'mmpretrain::_base_/datasets/imagenet_bs64_pil_resize.py',
    'mmpretrain::_base_/default_runtime.py',
    './continual_runtime.py',
]

schedule = dict(
    num_tasks=4, first_num_classes=80, forget_per_task=20, order_seed=1337)

model = dict(
    type='ForgettingClassifier',
    pretrained='checkpoints/vit-b16_imagenet100.pth',
    backbone=dict(init_cfg=None),
    head=dict(
        num_classes=100,
        # mmpretrain's label-smoothing loss (and its arguments) replaced.
        loss=dict(_delete_=True, type='CrossEntropyLoss', loss_weight=1.0)))
data_preprocessor = dict(num_classes=100)

# The papers use no training augmentation: Resize 256, CenterCrop 224.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
# mmpretrain's ImageNet datasets are replaced whole (their `split`,
# `ann_file` would stay): the forget/retain task data and a folder dataset.
train_dataloader = dict(
    batch_size=48,
    collate_fn=dict(type='mmforget.forget_retain_collate'),
    dataset=dict(
        _delete_=True,
        type='mmforget.ForgetRetainDataset',
        dataset=dict(
            type='CustomDataset', data_root='data/imagenet100',
            data_prefix='train', pipeline=test_pipeline),
        schedule=schedule,
        data_ratio=0.05))
test_dataloader = dict(
    dataset=dict(
        _delete_=True, type='CustomDataset', data_root='data/imagenet100',
        data_prefix='val', pipeline=test_pipeline))
test_evaluator = dict(_delete_=True, type='mmforget.ForgettingMetric')
default_hooks = dict(checkpoint=None)
# ImageNet100 has no separate validation split: the last epoch is kept.
val_dataloader = None
val_cfg = None
val_evaluator = None

train_cfg = dict(max_epochs=100, select='last')
