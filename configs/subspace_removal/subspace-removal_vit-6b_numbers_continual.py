# Subspace removal (training-free: every linear layer outside the head is
# projected off the input directions the forget images use and the retain
# images do not) on the handwritten numbers (4 x 20), with the paper's
# 100-class values (CIFAR-100: alpha_r 1000, alpha_f 30), not yet tuned on
# the validation split.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/training_free.py'
]

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(
        type='mmforget.SubspaceRemoval', alpha_r=1000.0, alpha_f=30.0,
        max_samples=1000))
param_scheduler = None
# Every weight is frozen (nothing trains), so a distributed run must not
# expect gradients for what DDP wrapped (ignored in a single process).
model_wrapper_cfg = dict(find_unused_parameters=True)
