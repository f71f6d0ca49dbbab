# GS-LoRA's group lasso (alpha 1e-4) and CLEAR's entry-wise l1 together,
# on the numbers 4 x 20: whole blocks and single entries both pushed to
# zero. l1 1e-4 is a start; the comparison tunes it on val.
_base_ = ['./gs-lora_vit-6b_numbers_continual.py']

optim_wrapper = dict(l1=1e-4)
