# GS-LoRA on R50 Deformable DETR, COCO 2017: the papers' detection protocol
# (7 tasks x 10 classes) and settings: rank 8, BND 15, per-task beta, AdamW
# lr 3e-4, alpha 3e-4. 8 GPUs x (4 retain + 4 forget images), as published:
#   bash tools/dist_train.sh <this config> 8
_base_ = '../_base_/protocols/deformable-detr_r50_coco_continual.py'

model = dict(lora=dict(rank=8))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=15.0,
            loss_weight=[0.15, 0.15, 0.35, 0.6, 0.15, 0.2, 0.2])))
# The group-sparse wrapper merged on the protocol's AdamW (its gradient clip
# kept), as configs/_base_/methods/gs_lora.py cannot be combined with a
# protocol that already has an optimizer.
optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=3e-4, weight_decay=1e-4),
    alpha=3e-4)
