# Group lasso or CLEAR's l1 on the adapters? GS-LoRA's LoRA on the numbers
# 4 x 20 with the group lasso (the papers' alpha 1e-4), with CLEAR's
# entry-wise l1 instead, with both, and with neither, against the converged
# Retrain and Head reset, with the depth checks at the last task. The
# adapters' learning rate and forget-loss weight are GS-LoRA's pick (the
# numbers comparison's tuning); the l1 weight is tuned on val over four
# values (the same 4-point budget), ranked by the validation H-Mean. Which
# blocks change under each: the norm of every block's adapters at the end
# of each task (`block_norms`).
# `make -f research.mk depth-numbers-sparsity`.
_base_ = ['./vit-6b_numbers_depth.py']
block_norms = True
L1 = 'optim_wrapper.l1'
LR = 'optim_wrapper.optimizer.lr'
WEIGHT = 'train_cfg.method.forget_loss.loss_weight'
# GS-LoRA's pick, as one-value grid entries (a tuning run takes its grid
# point's options only).
GS_LORA_PICK = {LR: [0.01], WEIGHT: [0.5]}
rows = ('Retrain (converged)', 'Head reset', 'GS-LoRA',
        'LoRA + l1 (CLEAR)', 'LoRA + group lasso + l1', 'LoRA, no sparsity')
methods = _base_.methods + [
    dict(name='LoRA + l1 (CLEAR)',
         config='configs/gs_lora/gs-lora-l1_vit-6b_numbers_continual.py',
         grid=dict(GS_LORA_PICK, **{L1: [1e-5, 1e-4, 1e-3, 1e-2]})),
    dict(name='LoRA + group lasso + l1',
         config='configs/gs_lora/'
         'gs-lora-group-lasso-l1_vit-6b_numbers_continual.py',
         grid=dict(GS_LORA_PICK, **{L1: [1e-5, 1e-4, 1e-3, 1e-2]})),
    dict(name='LoRA, no sparsity',
         config='configs/gs_lora/'
         'gs-lora-no-sparsity_vit-6b_numbers_continual.py',
         options=[f'{LR}=0.01', f'{WEIGHT}=0.5']),
]
