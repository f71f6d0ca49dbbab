# Few-shot GS-LoRA on the tiny shapes Deformable DETR: 8 training images per
# class and task. With so few images the papers' forget loss, which negates
# every query's classification loss, rises more easily by firing on
# background than by losing the forgotten class; `forget_scope='matched'`
# negates only the forgotten boxes' own-class scores. Beta: the first values
# of the papers' few-shot list.
_base_ = './gs-lora_deformable-detr-tiny_shapes_continual.py'

model = dict(
    forget_scope='matched')
# Each batch: 4 retain images + 4 forget images.
train_dataloader = dict(batch_size=4, dataset=dict(few_shot=8))
train_cfg = dict(
    method=dict(forget_loss=dict(loss_weight=[0.3, 0.4])),
    max_epochs=30, val_interval=30)
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=30, eta_min=1e-5,
         convert_to_iter_based=True)
]
