# A 6-block ViT (the Face Transformer's depth; width 64, 4 heads, patch 2)
# for the 8x16 grey handwritten numbers: 6 LoRA groups, one per block.
_base_ = 'mmpretrain::_base_/models/vit-base-p16.py'

model = dict(
    backbone=dict(
        arch=dict(
            _delete_=True,
            embed_dims=64, num_layers=6, num_heads=4,
            feedforward_channels=128),
        img_size=(8, 16),
        patch_size=2,
        in_channels=1,
        drop_rate=0.0),
    head=dict(
        num_classes=100,
        in_channels=64,
        loss=dict(_delete_=True, type='CrossEntropyLoss', loss_weight=1.0)))
