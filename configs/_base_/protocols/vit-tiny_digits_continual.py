# The continual protocol on the digits, shared by every method: 4 tasks
# forgetting 2 digits each (10-2, 8-2, 6-2, 4-2), data_ratio 0.5, 30
# epochs, batch 32 retain + 32 forget images. No method, no optimizer: a
# method config adds its model parts (LoRA), `optim_wrapper` and
# `train_cfg.method`.
_base_ = [
    '../models/vit-tiny_digits.py',
    '../datasets/digits.py',
    'mmpretrain::_base_/default_runtime.py',
    './continual_runtime.py',
]

schedule = dict(
    num_tasks=4, first_num_classes=8, forget_per_task=2, order_seed=0)

model = dict(
    type='ForgettingClassifier',
    pretrained='checkpoints/vit-tiny_digits.pth')

train_dataloader = dict(
    batch_size=32,
    collate_fn=dict(type='mmforget.forget_retain_collate'),
    dataset=dict(
        _delete_=True,
        type='mmforget.ForgetRetainDataset',
        dataset=dict(
            type='mmforget.DigitsDataset', split='train',
            pipeline=[dict(type='PackInputs')]),
        schedule=schedule,
        data_ratio=0.5))
val_evaluator = dict(_delete_=True, type='mmforget.ForgettingMetric')
test_evaluator = val_evaluator

train_cfg = dict(max_epochs=30, val_interval=10)
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=30, eta_min=1e-5,
         convert_to_iter_based=True)
]
default_hooks = dict(checkpoint=None, logger=dict(interval=10))
randomness = dict(seed=0)
