# The tiny shapes protocol, few-shot setting: 8 training images per class
# and task, batch 4 retain + 4 forget images, 30 epochs per task.
_base_ = './deformable-detr-tiny_shapes_continual.py'

train_dataloader = dict(batch_size=4, dataset=dict(few_shot=8))
train_cfg = dict(max_epochs=30, val_interval=30)
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=30, eta_min=1e-5,
         convert_to_iter_based=True)
]
