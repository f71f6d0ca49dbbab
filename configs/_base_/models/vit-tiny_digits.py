# A 4-block ViT (width 64, patch 2) for 8x8 grey digits.
_base_ = 'mmpretrain::_base_/models/vit-base-p16.py'

model = dict(
    backbone=dict(
        arch=dict(
            _delete_=True,
            embed_dims=64, num_layers=4, num_heads=4,
            feedforward_channels=128),
        img_size=8,
        patch_size=2,
        in_channels=1,
        drop_rate=0.0),
    head=dict(
        num_classes=10,
        in_channels=64,
        loss=dict(_delete_=True, type='CrossEntropyLoss', loss_weight=1.0)))
