# EU-k on the handwritten numbers (4 x 20): each task re-initialises the
# last 2 of the 6 blocks, the final norm and the head (the model's own
# init, from the task seed) and trains them on the kept numbers only (no
# forget sample is read); the first 4 blocks stay frozen. The protocol's
# data and 30 epochs; lr 2e-3 and the gradient clip of the pre-training
# recipe (the top starts from scratch). k, lr and epochs are not yet tuned
# on val.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=2e-3), clip_grad=dict(max_norm=1.0))
train_cfg = dict(
    method=dict(type='mmforget.EUk', k=2))
# The lower blocks are frozen, so a distributed run must not expect
# gradients for them (ignored in a single process).
model_wrapper_cfg = dict(find_unused_parameters=True)
