# One portrait per forgotten class (1-SHUI's setting): each request brings a
# single training image of each of the 20 numbers it forgets and no other
# forget data; the kept numbers' data as in the full setting. Every method
# that can work on it, in both settings, against the converged Retrain
# (which reads no forget image: one row serves both) and Head reset (which
# reads none either). MetaUnlearn's own setting is the one portrait. Tuned on the full data's validation split with the
# comparison's 4-point budget; the one-portrait rows take the full-data
# pick, as the 4-shot rows of the numbers comparison do.
# `make -f research.mk one-portrait-numbers`.
_base_ = ['./vit-6b_numbers_depth.py']
settings = [
    dict(name='full data', suffix='', seeds=[0, 1, 2]),
    dict(name='one portrait', suffix='-1portrait', seeds=[0, 1, 2]),
]
LR = 'optim_wrapper.optimizer.lr'
METHOD = 'train_cfg.method.'
methods = [
    dict(name='Retrain (converged)', settings=['full data'],
         config='configs/retrain/'
         'retrain-converged_vit-6b_numbers_continual.py'),
    dict(name='Head reset', settings=['full data'],
         config='configs/head_reset/head-reset_vit-6b_numbers_continual.py'),
    dict(name='GS-LoRA',
         config='configs/gs_lora/gs-lora_vit-6b_numbers_continual{setting}.py',
         options=[f'{LR}=0.01', METHOD + 'forget_loss.loss_weight=0.5']),
    dict(name='GS-LoRA++',
         config='configs/gs_lora_plus/'
         'gs-lora-plus_vit-6b_numbers_continual{setting}.py',
         grid={LR: [1e-2, 3e-3],
               METHOD + 'forget_loss.loss_weight': [0.2, 0.5]}),
    dict(name='SSD',
         config='configs/ssd/ssd_vit-6b_numbers_continual{setting}.py',
         grid={METHOD + 'alpha': [1.0, 5.0, 10.0, 50.0]}),
    dict(name='SCAR',
         config='configs/scar/scar_vit-6b_numbers_continual{setting}.py',
         grid={LR: [1e-4, 1e-3], METHOD + 'distill_weight': [1.0, 10.0]}),
    dict(name='LAF',
         config='configs/laf/laf_vit-6b_numbers_continual{setting}.py',
         grid={LR: [1e-5, 1e-4], METHOD + 'align_lr_ratio': [2.0, 5.0]}),
    dict(name='PRR', config='configs/prr/prr_vit-6b_numbers_continual'
         '{setting}.py',
         grid={LR: [1e-3, 3e-3], METHOD + 'alpha_f': [100.0, 1000.0]}),
    # The learned loss's step size and its meta learning rate.
    dict(name='MetaUnlearn',
         config='configs/meta_unlearn/'
         'meta-unlearn_vit-6b_numbers_continual{setting}.py',
         grid={METHOD + 'step_size': [0.1, 1.0],
               METHOD + 'meta_lr': [1e-4, 1e-3]}),
]
