# CLEAR's l1 instead of GS-LoRA's group lasso, on the numbers 4 x 20: the
# same adapters, forget loss and schedule, the group lasso off (alpha 0) and
# l1 * (sum |A| + sum |B|) over every adapter entry added to the loss
# (mmforget.GroupSparseOptimWrapper's `l1`; raw entries, not normalised by
# their count, as CLEAR's code). It sparsifies entries, not whole blocks.
# l1 1e-4 is a start; the comparison tunes it on val.
_base_ = ['./gs-lora_vit-6b_numbers_continual.py']

optim_wrapper = dict(alpha=0.0, l1=1e-4)
