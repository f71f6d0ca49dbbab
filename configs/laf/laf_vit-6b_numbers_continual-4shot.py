# LAF, few-shot: the numbers protocol's 4-shot setting (4 training
# images of every forget and retain number per task, batch 4 + 4) with
# the values of laf_vit-6b_numbers_continual.py.
_base_ = '../_base_/protocols/vit-6b_numbers_continual-4shot.py'

# Adam without weight decay, as the authors: not the AdamW of
# configs/_base_/methods/full_finetune.py, so written out here.
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-05))
train_cfg = dict(
    method=dict(
        type='mmforget.LAF', latent=16, vae_epochs=10,
        tau=20.0, align_lr_ratio=5.0))
