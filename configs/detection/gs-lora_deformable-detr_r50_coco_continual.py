# GS-LoRA on R50 Deformable DETR, COCO 2017: 7 tasks forgetting 10 classes
# each (80-10-10-10-10-10-10-10, numpy seed-123 class order), the papers'
# detection setting. Start from mmdet's COCO checkpoint:
#   checkpoints/deformable-detr_r50_16xb2-50e_coco.pth
# 8 GPUs x (4 retain + 4 forget images), as published:
#   bash tools/dist_train.sh <this config> 8
_base_ = 'mmdet::deformable_detr/deformable-detr_r50_16xb2-50e_coco.py'
custom_imports = dict(imports=['mmforget'], allow_failed_imports=False)

schedule = dict(
    num_tasks=7, first_num_classes=70, forget_per_task=10, order_seed=123,
    order_rng='numpy')

model = dict(
    type='ForgettingDeformableDETR',
    pretrained='checkpoints/deformable-detr_r50_16xb2-50e_coco.pth',
    backbone=dict(init_cfg=None),  # the whole detector comes from above
    lora=dict(rank=8))

train_dataloader = dict(
    batch_size=4,
    batch_sampler=None,
    collate_fn=dict(type='mmforget.forget_retain_collate'),
    dataset=dict(
        _delete_=True,
        type='mmforget.DetectionForgetRetainDataset',
        dataset={{_base_.train_dataloader.dataset}},
        schedule=schedule,
        forget_rate=0.1,
        mem_rate=0.1))
val_evaluator = dict(type='mmforget.DetectionForgettingMetric')
test_evaluator = val_evaluator

train_cfg = dict(
    type='mmforget.ContinualForgettingLoop', max_epochs=30, val_interval=30,
    select='last',
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=15.0,
            loss_weight=[0.15, 0.15, 0.35, 0.6, 0.15, 0.2, 0.2])))
optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=3e-4, weight_decay=1e-4),
    paramwise_cfg=dict(_delete_=True),
    alpha=3e-4)
param_scheduler = None  # constant lr (the published step at epoch 40 never fires)
custom_hooks = [dict(type='mmforget.ForgettingTaskHook')]
default_hooks = dict(checkpoint=None)
