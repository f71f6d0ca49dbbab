# DER, faces, continual 4 x 20: the papers' baseline run (the papers'
# face protocol, no LoRA, every weight but the head trains, AdamW
# wd 0.05, cosine to 1e-5 over 100 epochs) and hyper-parameters.
_base_ = [
    '../_base_/protocols/face-transformer_casia100_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(
    method=dict(
        type='mmforget.DER',
        embedding_weight=0.01))
