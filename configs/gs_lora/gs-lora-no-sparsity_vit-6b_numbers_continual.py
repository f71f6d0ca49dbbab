# GS-LoRA's adapters and forget loss with neither sparsity term (alpha 0, no
# l1), on the numbers 4 x 20: the baseline the group lasso and CLEAR's l1
# are read against.
_base_ = ['./gs-lora_vit-6b_numbers_continual.py']

optim_wrapper = dict(alpha=0.0)
