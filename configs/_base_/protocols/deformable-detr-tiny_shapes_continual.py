# The continual protocol on the tiny shapes Deformable DETR: 2 tasks, each
# forgetting one shape (5-1 ring, 4-1 triangle), 10 epochs per task, batch
# 8 retain + 8 forget images, the test split scored before and after every
# task. No method: a method config adds its model parts (LoRA) and
# `train_cfg.method`.
# The optimizer is the pre-training's (AdamW lr 4e-4, gradient clip 0.1,
# from mmdet's Deformable DETR config, which every detector config here
# inherits): a method config changes it by merging (learning rate, type),
# never deletes it.
_base_ = '../../pretrain/deformable-detr-tiny_shapes.py'

schedule = dict(tasks=[['ring'], ['triangle']])

model = dict(
    type='ForgettingDeformableDETR',
    pretrained='checkpoints/deformable-detr-tiny_shapes.pth')

# Each batch: 8 retain images + 8 forget images.
train_dataloader = dict(
    batch_size=8,
    batch_sampler=None,
    collate_fn=dict(type='mmforget.forget_retain_collate'),
    dataset=dict(
        # The pre-training's dataset becomes the forget/retain task data.
        _delete_=True,
        type='mmforget.DetectionForgetRetainDataset',
        dataset={{_base_.train_dataloader.dataset}},
        schedule=schedule,
        forget_rate=0.3,
        mem_rate=0.3))
# AP on forgotten / kept classes, and where the forgotten objects went
# (detected, relabelled as a kept class, background).
test_evaluator = [
    dict(type='mmforget.DetectionForgettingMetric',
         ann_file={{_base_.test_evaluator.ann_file}}),
    dict(type='mmforget.ForgottenObjectFate'),
]
# A task ends with its last epoch (select='last'), so no validation passes:
# the test split is scored before and after every task.
val_dataloader = None
val_cfg = None
val_evaluator = None

train_cfg = dict(
    type='mmforget.ContinualForgettingLoop', max_epochs=10, val_interval=10,
    select='last')
# Rebuilt for every task, so each task gets the whole cosine schedule.
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=10, eta_min=1e-5,
         convert_to_iter_based=True)
]
custom_hooks = [dict(type='mmforget.ForgettingTaskHook')]
default_hooks = dict(checkpoint=None, logger=dict(interval=10))
randomness = dict(seed=0)
