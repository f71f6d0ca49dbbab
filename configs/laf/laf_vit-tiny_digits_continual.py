# LAF (label-agnostic: two VAEs over the embeddings, an unlearning step and
# an alignment step with the frozen task-start copy per batch; the authors'
# ResNet settings: latent 16, tau 20, Adam, alignment lr 5x) on the digits
# (4 x 2): the protocol every method shares.
_base_ = '../_base_/protocols/vit-tiny_digits_continual.py'

# Adam without weight decay, as the authors: not the AdamW of
# configs/_base_/methods/full_finetune.py, so written out here.
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-05))
train_cfg = dict(
    method=dict(
        type='mmforget.LAF', latent=16, vae_epochs=10,
        tau=20.0, align_lr_ratio=5.0))
