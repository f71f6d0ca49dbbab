# The papers' detection protocol: R50 Deformable DETR on COCO 2017, 7 tasks
# forgetting 10 classes each (80-10-10-10-10-10-10-10, numpy seed-123 class
# order), 30 epochs per task, constant learning rate. Start from mmdet's
# COCO checkpoint:
#   checkpoints/deformable-detr_r50_16xb2-50e_coco.pth
# 8 GPUs x (4 retain + 4 forget images), as published:
#   bash tools/dist_train.sh <a method config> 8
# No method: a method config adds its model parts (LoRA) and
# `train_cfg.method`. The optimizer is mmdet's (AdamW, gradient clip 0.1)
# without its per-module learning rates; a method config changes it by
# merging, never deletes it.
_base_ = 'mmdet::deformable_detr/deformable-detr_r50_16xb2-50e_coco.py'
custom_imports = dict(imports=['mmforget'], allow_failed_imports=False)

schedule = dict(
    num_tasks=7, first_num_classes=70, forget_per_task=10, order_seed=123,
    order_rng='numpy')

model = dict(
    type='ForgettingDeformableDETR',
    pretrained='checkpoints/deformable-detr_r50_16xb2-50e_coco.pth',
    backbone=dict(init_cfg=None))  # the whole detector comes from above

train_dataloader = dict(
    batch_size=4,
    batch_sampler=None,
    collate_fn=dict(type='mmforget.forget_retain_collate'),
    dataset=dict(
        # mmdet's COCO dataset becomes the forget/retain task data.
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
    select='last')
# mmdet's per-module learning rates (backbone x 0.1) are the pre-training's.
optim_wrapper = dict(paramwise_cfg=dict(_delete_=True))
param_scheduler = None  # constant lr (the published step at epoch 40 never fires)
custom_hooks = [dict(type='mmforget.ForgettingTaskHook')]
default_hooks = dict(checkpoint=None)
