# A tiny DINO for the generated shapes data (tools/make_shapes.py), the
# counterpart of the tiny Deformable DETR: ResNet-18 from scratch, 6 encoder
# + 6 decoder layers (12 LoRA groups), 4 feature levels, 30 matching queries
# and up to 30 denoising queries, 64x64 images. Width 256 (mmdet's DINO
# decoder encodes reference points for 256 dims), FFN 512. A named variable,
# not `model`, so that configs with other bases can take it.
dino_dims = 256
dino_tiny_shapes = dict(
    type='DINO',
    num_queries=30,
    with_box_refine=True,
    as_two_stage=True,
    num_feature_levels=4,
    data_preprocessor=dict(
        type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=1),
    backbone=dict(
        type='ResNet', depth=18, num_stages=4, out_indices=(1, 2, 3),
        frozen_stages=-1, norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=False, style='pytorch', init_cfg=None),
    neck=dict(
        type='ChannelMapper', in_channels=[128, 256, 512], kernel_size=1,
        out_channels=dino_dims, act_cfg=None,
        norm_cfg=dict(type='GN', num_groups=32), num_outs=4),
    encoder=dict(
        num_layers=6,
        layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=dino_dims, num_levels=4,
                               dropout=0.0),
            ffn_cfg=dict(embed_dims=dino_dims,
                         feedforward_channels=2 * dino_dims,
                         ffn_drop=0.0))),
    decoder=dict(
        num_layers=6,
        return_intermediate=True,
        layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=dino_dims, num_heads=8,
                               dropout=0.0),
            cross_attn_cfg=dict(embed_dims=dino_dims, num_levels=4,
                                dropout=0.0),
            ffn_cfg=dict(embed_dims=dino_dims,
                         feedforward_channels=2 * dino_dims,
                         ffn_drop=0.0)),
        post_norm_cfg=None),
    positional_encoding=dict(num_feats=dino_dims // 2, normalize=True,
                             offset=0.0, temperature=20),
    bbox_head=dict(
        type='DINOHead',
        num_classes=5,
        embed_dims=dino_dims,
        sync_cls_avg_factor=True,
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0,
                      alpha=0.25, loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=5.0),
        loss_iou=dict(type='GIoULoss', loss_weight=2.0)),
    dn_cfg=dict(label_noise_scale=0.5, box_noise_scale=1.0,
                group_cfg=dict(dynamic=True, num_groups=None,
                               num_dn_queries=30)),
    train_cfg=dict(
        assigner=dict(
            type='HungarianAssigner',
            match_costs=[
                dict(type='FocalLossCost', weight=2.0),
                dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
                dict(type='IoUCost', iou_mode='giou', weight=2.0)
            ])),
    test_cfg=dict(max_per_img=30))
