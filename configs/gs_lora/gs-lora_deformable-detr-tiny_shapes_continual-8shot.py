# Few-shot GS-LoRA on the tiny shapes Deformable DETR: the shapes protocol's
# 8-shot setting (8 training images per class and task). With so few images
# the papers' forget loss, which negates every query's classification loss,
# rises more easily by firing on background than by losing the forgotten
# class; `forget_scope='matched'` negates only the forgotten boxes'
# own-class scores. Beta: the first values of the papers' few-shot list.
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual-8shot.py'

model = dict(lora=dict(rank=8))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=15.0,
            loss_weight=[0.3, 0.4]),
        forget_scope='matched'))
# The group-sparse wrapper merged on the protocol's AdamW, as in
# gs-lora_deformable-detr-tiny_shapes_continual.py.
optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    alpha=3e-4)
