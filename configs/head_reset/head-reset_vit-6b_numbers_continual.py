# Head reset (training-free: the forgotten classes' rows of the head's
# class-scoring linear layer are set to 0, the ViT head's initial value) on
# the handwritten numbers (4 x 20). The trivial baseline of the depth
# comparison: the features are untouched.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/training_free.py'
]

train_cfg = dict(
    max_epochs=0, val_interval=1,
    method=dict(type='mmforget.HeadReset', value=0.0))
param_scheduler = None
# Every weight is frozen (nothing trains), so a distributed run must not
# expect gradients for what DDP wrapped (ignored in a single process).
model_wrapper_cfg = dict(find_unused_parameters=True)
