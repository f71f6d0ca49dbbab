# CASIA-100 (100 CASIA-WebFace identities, 112x112 aligned) in mmpretrain
# CustomDataset folder layout: data/casia100/{train,test}/<identity>/*.jpg.
# No augmentation, as in the papers. There is no validation split: the
# forgetting configs keep the last epoch of each task.
dataset_type = 'CustomDataset'
data_root = 'data/casia100'
face_pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=48,
    num_workers=4,
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix='train',
                 pipeline=face_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True))
test_dataloader = dict(
    batch_size=128,
    num_workers=4,
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix='test',
                 pipeline=face_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
test_evaluator = dict(type='Accuracy', topk=(1, ))
