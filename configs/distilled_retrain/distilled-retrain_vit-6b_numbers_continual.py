# Retrain, distilled, on the handwritten numbers (4 x 20): per task a fresh
# ViT trained on the kept classes with the pre-training recipe, as Retrain,
# plus the distillation of the kept classes' softened scores of the model
# the task starts from (mmforget.DistilledRetrain). A quarter of the
# converged Retrain's steps (epochs of 2,500 images: 40 steps, 1,000 per
# task), so that with the teacher's forward pass a task costs about a third
# of the converged Retrain's.
_base_ = ['../retrain/retrain_vit-6b_numbers_continual.py']

train_dataloader = dict(dataset=dict(epoch_length=2500))
train_cfg = dict(
    method=dict(type='mmforget.DistilledRetrain', distill_weight=1.0,
                temperature=2.0))
