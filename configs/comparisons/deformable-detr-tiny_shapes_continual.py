# The detection comparison on the generated shapes (forget ring, then
# triangle), read by `tools/compare_methods.py --plan` (`make -f research.mk
# compare-shapes`): GS-LoRA, GS-LoRA++ and the unlearning field's baselines
# adapted to Deformable DETR (FT, bounded GA, RL on the forgotten boxes,
# SalUn, SSD) against Retrain, the reference of the gaps: AP_f / AP_r /
# AP_o, H-Mean, time per task and the Forgotten-Object Fate, 2 seeds.
# None is tuned: the shapes set has no split besides train and the scored
# one, so every method runs with its config's values (GS-LoRA's from the
# demo, the baselines' at the papers' usual learning rates).
reference = 'Retrain'
tune = dict(seed=0, options=[])
settings = [dict(name='full data', suffix='', seeds=[0, 1])]
methods = [
    dict(name='Retrain',
         config='configs/retrain/'
         'retrain_deformable-detr-tiny_shapes_continual.py'),
    dict(name='GS-LoRA',
         config='configs/gs_lora/'
         'gs-lora_deformable-detr-tiny_shapes_continual.py'),
    dict(name='GS-LoRA++',
         config='configs/gs_lora_plus/'
         'gs-lora-plus_deformable-detr-tiny_shapes_continual.py'),
    dict(name='FT', config='configs/ft/ft_deformable-detr-tiny_shapes_'
         'continual.py'),
    dict(name='GA (bounded)',
         config='configs/ga/ga-bounded_deformable-detr-tiny_shapes_'
         'continual.py'),
    dict(name='SSD', config='configs/ssd/ssd_deformable-detr-tiny_shapes_'
         'continual.py'),
    dict(name='RL', config='configs/rl/rl_deformable-detr-tiny_shapes_'
         'continual.py'),
    dict(name='SalUn', config='configs/salun/salun_deformable-detr-tiny_'
         'shapes_continual.py'),
]
