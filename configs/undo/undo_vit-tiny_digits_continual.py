# UNDO on the digits (4 x 2): every weight moved `noise` of the way to a
# fresh initialisation, then Retrain's recipe on the kept digits plus the
# distillation of the kept digits' softened scores of the model each task
# starts from. A quarter of the converged Retrain's steps: epochs of 270
# images (a quarter of the 1,078 training images).
_base_ = ['../retrain/retrain_vit-tiny_digits_continual.py']

train_dataloader = dict(dataset=dict(epoch_length=270))
train_cfg = dict(
    method=dict(type='mmforget.UNDO', noise=0.7, distill_weight=1.0,
                temperature=2.0))
