# GS-LoRA on the tiny shapes Deformable DETR: 2 tasks, each forgetting one
# shape (5-1, 4-1). `make demo-detection` runs it.
_base_ = './deformable-detr-tiny_shapes.py'

schedule = dict(tasks=[['ring'], ['triangle']])

model = dict(
    type='ForgettingDeformableDETR',
    pretrained='checkpoints/deformable-detr-tiny_shapes.pth',
    lora=dict(rank=8))

# Each batch: 8 retain images + 8 forget images.
train_dataloader = dict(
    batch_size=8,
    batch_sampler=None,
    collate_fn=dict(type='mmforget.forget_retain_collate'),
    dataset=dict(
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
    select='last',
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=15.0, loss_weight=0.15)))
optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    alpha=3e-4)
# Rebuilt for every task, so each task gets the whole cosine schedule.
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=10, eta_min=1e-5,
         convert_to_iter_based=True)
]
custom_hooks = [dict(type='mmforget.ForgettingTaskHook')]
default_hooks = dict(checkpoint=None, logger=dict(interval=10))
randomness = dict(seed=0)
