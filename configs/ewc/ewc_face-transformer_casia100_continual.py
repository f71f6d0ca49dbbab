# EWC, faces, continual 4 x 20: the papers' baseline run (the GS-LoRA
# face protocol, no LoRA, every weight but the head trains, AdamW
# wd 0.05, cosine to 1e-5 over 100 epochs) and hyper-parameters.
_base_ = '../gs_lora/gs-lora_face-transformer_casia100_continual.py'

model = dict(lora=None)
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, weight_decay=0.05))
train_cfg = dict(
    method=dict(
        _delete_=True, type='mmforget.EWC',
        penalty_weight=10.0))
