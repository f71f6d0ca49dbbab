# Retrain trained to convergence on the handwritten numbers (4 x 20): the
# reference of the depth checks. The pre-training recipe of
# retrain_vit-6b_numbers_continual.py, with as many steps per task as the
# pre-training took on all 100 classes (each epoch is as long as the whole
# training split, the kept classes' images repeated): 3,925 steps per task,
# where the plain Retrain's 25 epochs of 20 kept classes are 785 and
# collapse.
_base_ = ['./retrain_vit-6b_numbers_continual.py']

train_dataloader = dict(dataset=dict(epoch_length='full'))
train_cfg = dict(method=dict(name='Retrain (converged)'))
