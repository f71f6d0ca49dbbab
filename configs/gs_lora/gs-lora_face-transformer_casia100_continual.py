# GS-LoRA, faces, continual 4 x 20 (100-20, 80-20, 60-20, 40-20), the
# papers' settings: batch 48, 100 epochs per task, AdamW lr 1e-2 (wd 0.05),
# rank 8, BND 105, alpha 1e-4, beta 0.2/0.25/0.25/0.2, data_ratio 0.1,
# class order seed 1337.
_base_ = [
    '../_base_/protocols/face-transformer_casia100_continual.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(rank=8, alpha=1.0))
train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRA',
        forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=105.0,
            loss_weight=[0.2, 0.25, 0.25, 0.2])))
