# The digits ViT trained to memorise its training images: the recipe of
# vit-tiny_digits.py without its one-pixel shift, for 300 epochs and on the
# first 270 of the 1078 training images, so the training images score far
# better than unseen ones (a train / test gap a membership attack can read;
# on the whole split the model generalises too well for one: the forgotten
# digits' test images score like its training images). The original of the
# memorising setting of the depth comparison
# (configs/comparisons/vit-tiny_digits-memorising_depth.py).
_base_ = ['./vit-tiny_digits.py']

train_dataloader = dict(
    dataset=dict(indices=270, pipeline=[dict(type='PackInputs')]))
# The base's warm-up, its cosine stretched to 300 epochs.
param_scheduler = [_base_.param_scheduler[0],
                   dict(_base_.param_scheduler[1], end=300)]
train_cfg = dict(max_epochs=300, val_interval=50)
default_hooks = dict(checkpoint=dict(interval=100))
