# UNDO without a teacher on the digits (4 x 2): the noised start trained
# with Retrain's loss alone, the teacher's forward pass spent on steps as
# on the numbers: epochs of 320 images (about 30% of the 1,078 training
# images).
_base_ = ['./undo_vit-tiny_digits_continual.py']

train_dataloader = dict(dataset=dict(epoch_length=320))
train_cfg = dict(method=dict(distill_weight=0.0, name='UNDO, no teacher'))
