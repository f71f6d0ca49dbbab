# 100 handwritten two-digit numbers "00"-"99" (8x16 grey) built from
# scikit-learn's digits: 100 / 20 / 30 images per class for train / val /
# test, each split from its own digit images. Configs using it load mmforget.
data_preprocessor = dict(
    num_classes=100, mean=[127.5], std=[127.5], to_rgb=False)

dataset_type = 'mmforget.HandwrittenNumbersDataset'
train_pipeline = [dict(type='PackInputs')]
test_pipeline = [dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    dataset=dict(type=dataset_type, split='train', pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=256,
    num_workers=0,
    dataset=dict(type=dataset_type, split='val', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = dict(
    batch_size=256,
    num_workers=0,
    dataset=dict(type=dataset_type, split='test', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
test_evaluator = val_evaluator
