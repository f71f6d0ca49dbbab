# The reference of the memorising digits setting: Retrain trained to
# convergence on the kept digits with the memorising original's recipe
# (configs/pretrain/vit-tiny_digits-memorising.py: no shift, its first 270
# training images, 300 epochs of that split's length), so that it differs
# from the original only by the forgotten digits' images it never saw.
_base_ = ['./retrain-converged_vit-tiny_digits_continual.py']

train_dataloader = dict(
    dataset=dict(
        dataset=dict(indices=270, pipeline=[dict(type='PackInputs')])))
# The base's warm-up, its cosine stretched to 300 epochs.
param_scheduler = [_base_.param_scheduler[0],
                   dict(_base_.param_scheduler[1], end=300)]
train_cfg = dict(max_epochs=300, val_interval=300)
