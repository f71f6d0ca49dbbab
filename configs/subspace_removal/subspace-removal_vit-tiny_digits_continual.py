# Subspace removal (training-free: every linear layer outside the head is
# projected off the input directions the forget images use and the retain
# images do not) on the digits (4 x 2), with the paper's ViT values
# (ImageNet ViT-B/16: alpha_r 100, alpha_f 10), not yet tuned on the
# validation split.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/training_free.py'
]

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(
        type='mmforget.SubspaceRemoval', alpha_r=100.0, alpha_f=10.0,
        max_samples=1000))
param_scheduler = None
# Every weight is frozen (nothing trains), so a distributed run must not
# expect gradients for what DDP wrapped (ignored in a single process).
model_wrapper_cfg = dict(find_unused_parameters=True)
