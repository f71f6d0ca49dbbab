# CLEAR's l1 instead of GS-LoRA's group lasso on the digits (4 tasks x 2),
# as the numbers config of the same name.
_base_ = ['./gs-lora_vit-tiny_digits_continual.py']

optim_wrapper = dict(alpha=0.0, l1=1e-4)
