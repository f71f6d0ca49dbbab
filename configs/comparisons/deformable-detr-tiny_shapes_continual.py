# The detection comparison on the generated shapes (forget ring, then
# triangle), read by `tools/compare_methods.py --plan` (`make
# compare-shapes`): GS-LoRA and GS-LoRA++ with the demo's settings (not
# tuned) against Retrain, the reference of the gaps: AP_f / AP_r / AP_o,
# H-Mean, time per task and the Forgotten-Object Fate.
reference = 'Retrain'
tune = dict(seed=0, options=[])
settings = [dict(name='full data', suffix='', seeds=[0])]
methods = [
    dict(name='Retrain',
         config='configs/retrain/'
         'retrain_deformable-detr-tiny_shapes_continual.py'),
    dict(name='GS-LoRA',
         config='configs/detection/'
         'gs-lora_deformable-detr-tiny_shapes_continual.py'),
    dict(name='GS-LoRA++',
         config='configs/gs_lora_plus/'
         'gs-lora-plus_deformable-detr-tiny_shapes_continual.py'),
]
