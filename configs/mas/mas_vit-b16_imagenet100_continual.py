# MAS, ImageNet100, continual 4 x 20: the papers' baseline run (the
# GS-LoRA ImageNet100 protocol, no LoRA, every weight but the head
# trains) and hyper-parameters.
_base_ = '../gs_lora/gs-lora_vit-b16_imagenet100_continual.py'

model = dict(lora=None)
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, weight_decay=0.05))
train_cfg = dict(
    method=dict(
        _delete_=True, type='mmforget.MAS',
        penalty_weight=0.002))
