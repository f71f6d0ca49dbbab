# GS-LoRA++, faces, continual 4 x 20, 4-shot: BND_pro 50, the papers'
# per-task w_f list, and the weight EMA from epoch 30 (decay 0.9).
_base_ = '../gs_lora/gs-lora_face-transformer_casia100_continual-4shot.py'

train_cfg = dict(
    method=dict(
        type='mmforget.GSLoRAPlus',
        prototype_loss=dict(
            type='mmforget.PrototypeLoss', bound=50.0,
            forget_weight=[0.015, 0.06, 0.025, 0.012], retain_weight=0.0)),
    ema=dict(begin_epoch=30, decay=0.9))
