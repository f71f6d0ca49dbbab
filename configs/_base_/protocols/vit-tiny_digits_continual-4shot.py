# The digits protocol, few-shot setting: 4 training images of every forget
# and retain digit per task, batch 4 + 4. 50 epochs instead of 30: with so
# few images an epoch is a handful of steps.
_base_ = './vit-tiny_digits_continual.py'

train_dataloader = dict(batch_size=4, dataset=dict(data_ratio=1.0, few_shot=4))
train_cfg = dict(max_epochs=50, val_interval=10)
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=50, eta_min=1e-5,
         convert_to_iter_based=True)
]
