# GS-LoRA, few-shot: 4 training images of every forget and retain digit per
# task, batch 4, the papers' few-shot beta list.
_base_ = './gs-lora_vit-tiny_digits_continual.py'

train_dataloader = dict(batch_size=4, dataset=dict(data_ratio=1.0, few_shot=4))
train_cfg = dict(
    method=dict(forget_loss=dict(loss_weight=[0.3, 0.4, 0.28, 0.2])),
    max_epochs=50, val_interval=10)
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=50, eta_min=1e-5,
         convert_to_iter_based=True)
]
