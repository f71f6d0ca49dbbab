# Retrain trained to convergence on the digits (4 x 2): the pre-training
# recipe of retrain_vit-tiny_digits_continual.py with as many steps per task
# as the pre-training took on all 10 digits (each epoch is as long as the
# whole training split, the kept digits' images repeated).
_base_ = ['./retrain_vit-tiny_digits_continual.py']

train_dataloader = dict(dataset=dict(epoch_length='full'))
train_cfg = dict(method=dict(name='Retrain (converged)'))
