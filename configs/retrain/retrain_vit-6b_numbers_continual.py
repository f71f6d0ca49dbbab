# Retrain on the handwritten numbers (4 x 20), the reference of every
# method: per task a fresh ViT trained on the kept classes' whole training
# split (no forget sample), with the pre-training recipe of
# configs/pretrain/vit-6b_numbers.py: AdamW 2e-3, 2 warm-up epochs, cosine,
# 25 epochs, batch 64, a one-pixel random shift. It also serves as the
# reference of the 4-shot setting (same schedule, same kept classes).
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

train_dataloader = dict(
    batch_size=64,
    dataset=dict(
        data_ratio=1.0,
        dataset=dict(pipeline=[
            dict(type='RandomCrop', crop_size=(8, 16), padding=1),
            dict(type='PackInputs'),
        ])))
optim_wrapper = dict(optimizer=dict(lr=2e-3), clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=True, end=2,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=2, end=25,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(
    method=dict(type='mmforget.Retrain'),
    max_epochs=25, val_interval=25)
