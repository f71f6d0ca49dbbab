# CF-k on the handwritten numbers (4 x 20): each task fine-tunes the last 2
# of the 6 blocks, the final norm and the head from the trained weights on
# the kept numbers only (no forget sample is read); the first 4 blocks stay
# frozen. The protocol's data and 30 epochs, FT's lr 1e-3. k, lr and epochs
# are not yet tuned on val.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(
    method=dict(type='mmforget.CFk', k=2))
# The lower blocks are frozen, so a distributed run must not expect
# gradients for them (ignored in a single process).
model_wrapper_cfg = dict(find_unused_parameters=True)
