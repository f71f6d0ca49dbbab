# UNDO without a teacher on the handwritten numbers (4 x 20): per task every
# weight is moved `noise` of the way to a fresh initialisation, then trained
# on the kept classes with Retrain's recipe and its loss alone (no
# distillation). The teacher's forward pass saved buys steps: epochs of
# 3,000 images (47 steps, 1,175 per task, 30% of the converged Retrain's
# 3,925), which still cost under a third of the converged Retrain's time.
_base_ = ['./undo_vit-6b_numbers_continual.py']

train_dataloader = dict(dataset=dict(epoch_length=3000))
train_cfg = dict(method=dict(distill_weight=0.0, name='UNDO, no teacher'))
