# GS-LoRA, faces, continual 4 x 20 (100-20, 80-20, 60-20, 40-20), the
# papers' settings: batch 48, 100 epochs per task, AdamW lr 1e-2 (wd 0.05),
# rank 8, BND 105, alpha 1e-4, beta 0.2/0.25/0.25/0.2, data_ratio 0.1,
# class order seed 1337.
_base_ = [
    '../_base_/models/face-transformer_casia100.py',
    '../_base_/datasets/casia100.py',
    'mmpretrain::_base_/default_runtime.py',
    '../_base_/forgetting/continual_runtime.py',
]

schedule = dict(
    num_tasks=4, first_num_classes=80, forget_per_task=20, order_seed=1337)
model = dict(
    type='ForgettingClassifier',
    pretrained='checkpoints/face-transformer_casia100.pth',
    lora=dict(rank=8, alpha=1.0))
train_dataloader = dict(
    collate_fn=dict(type='mmforget.forget_retain_collate'),
    dataset=dict(
        _delete_=True,
        type='mmforget.ForgetRetainDataset',
        dataset=dict(
            type={{_base_.dataset_type}}, data_root={{_base_.data_root}},
            data_prefix='train', pipeline={{_base_.face_pipeline}}),
        schedule=schedule,
        data_ratio=0.1))
test_evaluator = dict(_delete_=True, type='mmforget.ForgettingMetric')
val_dataloader = None
val_cfg = None
val_evaluator = None
default_hooks = dict(checkpoint=None)
train_cfg = dict(
    method=dict(forget_loss=dict(
        type='mmforget.BoundedForgetLoss', bound=105.0,
        loss_weight=[0.2, 0.25, 0.25, 0.2])),
    max_epochs=100, select='last')
optim_wrapper = dict(alpha=1e-4)
