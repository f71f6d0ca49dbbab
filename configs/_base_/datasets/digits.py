# scikit-learn's bundled digits (8x8 grey, 10 classes), fixed 60/20/20 split.
# Configs using it load mmforget (custom_imports) for mmforget.DigitsDataset.
data_preprocessor = dict(
    num_classes=10, mean=[127.5], std=[127.5], to_rgb=False)

train_pipeline = [dict(type='PackInputs')]
test_pipeline = [dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    dataset=dict(
        type='mmforget.DigitsDataset', split='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=128,
    num_workers=0,
    dataset=dict(
        type='mmforget.DigitsDataset', split='val', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = dict(
    batch_size=128,
    num_workers=0,
    dataset=dict(
        type='mmforget.DigitsDataset', split='test', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
test_evaluator = val_evaluator
