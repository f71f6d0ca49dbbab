# The papers' face protocol: Face Transformer on CASIA-100, 4 tasks x 20
# identities (100-20, 80-20, 60-20, 40-20), class order seed 1337, batch 48,
# 100 epochs per task, data_ratio 0.1, the last epoch of each task kept
# (there is no validation split). No method, no optimizer: a method config
# adds its model parts (LoRA), `optim_wrapper` and `train_cfg.method`.
_base_ = [
    '../models/face-transformer_casia100.py',
    '../datasets/casia100.py',
    'mmpretrain::_base_/default_runtime.py',
    './continual_runtime.py',
]

schedule = dict(
    num_tasks=4, first_num_classes=80, forget_per_task=20, order_seed=1337)
model = dict(
    type='ForgettingClassifier',
    pretrained='checkpoints/face-transformer_casia100.pth')
train_dataloader = dict(
    collate_fn=dict(type='mmforget.forget_retain_collate'),
    dataset=dict(
        # The plain identity folders become the forget/retain task data.
        _delete_=True,
        type='mmforget.ForgetRetainDataset',
        dataset=dict(
            type={{_base_.dataset_type}}, data_root={{_base_.data_root}},
            data_prefix='train', pipeline={{_base_.face_pipeline}}),
        schedule=schedule,
        data_ratio=0.1))
# Replaces the dataset base's top-k Accuracy (whose `topk` would stay).
test_evaluator = dict(_delete_=True, type='mmforget.ForgettingMetric')
val_dataloader = None
val_cfg = None
val_evaluator = None
default_hooks = dict(checkpoint=None)
train_cfg = dict(max_epochs=100, select='last')
