# The reference of the memorising digits setting: Retrain trained to
# convergence on the kept digits with the memorising original's recipe
# (configs/pretrain/vit-tiny_digits-memorising.py: no shift, 300 epochs of
# the whole training split's length), so that it differs from the original
# only by the forgotten digits' images it never saw.
_base_ = ['./retrain-converged_vit-tiny_digits_continual.py']

train_dataloader = dict(
    dataset=dict(dataset=dict(pipeline=[dict(type='PackInputs')])))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=True, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=5, end=300,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=300, val_interval=300)
