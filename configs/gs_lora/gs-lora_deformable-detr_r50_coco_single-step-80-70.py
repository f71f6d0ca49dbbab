# GS-LoRA on R50 Deformable DETR, COCO 2017: one task forgetting the last
# 70 classes of the numpy seed-123 order (80-70).
_base_ = './gs-lora_deformable-detr_r50_coco_continual.py'

schedule = dict(
    num_tasks=1, first_num_classes=10, forget_per_task=70, order_seed=123,
    order_rng='numpy')
train_dataloader = dict(dataset=dict(schedule=schedule))
train_cfg = dict(method=dict(forget_loss=dict(loss_weight=0.15)))
