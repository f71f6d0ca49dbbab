# The continual protocol on the 100 handwritten numbers, shared by every
# method: 4 tasks x 20 classes (100-20, 80-20, 60-20, 40-20), class order
# from Python's shuffle with seed 1337, data_ratio 0.25 of each split per
# task, 30 epochs, batch 32 retain + 32 forget images. No method, no
# optimizer: a method config adds its model parts (LoRA), `optim_wrapper`
# and `train_cfg.method`.
_base_ = [
    '../models/vit-6b_numbers.py',
    '../datasets/handwritten_numbers.py',
    'mmpretrain::_base_/default_runtime.py',
    './continual_runtime.py',
]

schedule = dict(
    num_tasks=4, first_num_classes=80, forget_per_task=20, order_seed=1337)

model = dict(
    type='ForgettingClassifier',
    pretrained='checkpoints/vit-6b_numbers.pth')

train_dataloader = dict(
    batch_size=32,
    collate_fn=dict(type='mmforget.forget_retain_collate'),
    dataset=dict(
        _delete_=True,
        type='mmforget.ForgetRetainDataset',
        dataset=dict(
            type={{_base_.dataset_type}}, split='train',
            pipeline={{_base_.train_pipeline}}),
        schedule=schedule,
        data_ratio=0.25))
val_evaluator = dict(_delete_=True, type='mmforget.ForgettingMetric')
test_evaluator = val_evaluator

train_cfg = dict(max_epochs=30, val_interval=10)
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=30, eta_min=1e-5,
         convert_to_iter_based=True)
]
default_hooks = dict(checkpoint=None, logger=dict(interval=20))
randomness = dict(seed=0)
