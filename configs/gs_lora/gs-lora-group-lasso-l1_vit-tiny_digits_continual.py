# GS-LoRA's group lasso and CLEAR's l1 together on the digits, as the
# numbers config of the same name.
_base_ = ['./gs-lora_vit-tiny_digits_continual.py']

optim_wrapper = dict(l1=1e-4)
