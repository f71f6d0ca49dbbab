# GS-LoRA's adapters and forget loss with neither sparsity term on the
# digits, as the numbers config of the same name.
_base_ = ['./gs-lora_vit-tiny_digits_continual.py']

optim_wrapper = dict(alpha=0.0)
