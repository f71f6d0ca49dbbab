# UNDO on the handwritten numbers (4 x 20): per task every weight is moved
# `noise` of the way to a fresh initialisation (the model's own init), then
# trained on the kept classes with Retrain's recipe (AdamW 2e-3, warm-up,
# cosine, batch 64, one-pixel shifts) and the distillation of the kept
# classes' softened scores of the model the task starts from. A quarter of
# the converged Retrain's steps (epochs of 2,500 images: 40 steps, 1,000
# per task): with the teacher's forward pass a task costs about a third of
# the converged Retrain's.
_base_ = ['../retrain/retrain_vit-6b_numbers_continual.py']

train_dataloader = dict(dataset=dict(epoch_length=2500))
train_cfg = dict(
    method=dict(type='mmforget.UNDO', noise=0.7, distill_weight=1.0,
                temperature=2.0))
