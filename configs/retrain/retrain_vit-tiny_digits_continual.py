# Retrain on the digits (4 x 2), the reference of every method: per task a
# fresh ViT trained on the kept digits' whole training split (no forget
# sample), with the pre-training recipe of configs/pretrain/vit-tiny_digits.py:
# AdamW 2e-3, 5 warm-up epochs, cosine, 120 epochs, batch 32, a one-pixel
# random shift.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/full_finetune.py'
]

train_dataloader = dict(
    batch_size=32,
    dataset=dict(
        data_ratio=1.0,
        dataset=dict(pipeline=[
            dict(type='RandomCrop', crop_size=8, padding=1),
            dict(type='PackInputs'),
        ])))
optim_wrapper = dict(optimizer=dict(lr=2e-3), clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=True, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=5, end=120,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(
    method=dict(type='mmforget.Retrain'),
    max_epochs=120, val_interval=120)
