# Fisher forgetting on the digits (4 x 2), training-free: the backbone's
# weights get Gaussian noise of variance min(alpha / F, max_var), F the
# diagonal Fisher of the task's retain images (per image); the head is left
# as it is. alpha 1e-6, max_var 1e-3 (1e3 alpha, the bound of the
# benchmark code), not yet tuned on the validation split.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/training_free.py'
]

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(
        type='mmforget.FisherForgetting', alpha=1e-6, max_var=1e-3,
        noise_head=False))
param_scheduler = None
# The head gets no noise (frozen), so a distributed run must not expect
# gradients for everything DDP wrapped (ignored in a single process).
model_wrapper_cfg = dict(find_unused_parameters=True)
