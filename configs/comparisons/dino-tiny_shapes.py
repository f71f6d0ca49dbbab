# The detection targets on the tiny shapes DINO: Head reset (the forgotten
# logit removed), PRR and GS-LoRA, forget ring then triangle, 2
# seeds: AP_f / AP_r / AP_o and the Forgotten-Object Fate. Read by
# `tools/compare_methods.py --plan` (`make -f research.mk compare-shapes-
# dino`). No Retrain DINO runs here (four trainings from scratch, about 40
# minutes each on 2 cores): the reference of the time ratio is GS-LoRA, the
# reference of the detection targets' AP_r. None is tuned (no split besides
# train and the scored one); the cheap runs come first.
reference = 'GS-LoRA'
tune = dict(seed=0, options=[])
settings = [dict(name='full data', suffix='', seeds=[0, 1])]
methods = [
    dict(name='Head reset',
         config='configs/head_reset/head-reset_dino-tiny_shapes_continual.py'),
    dict(name='PRR', config='configs/prr/prr_dino-tiny_shapes_continual.py'),
    dict(name='GS-LoRA',
         config='configs/gs_lora/gs-lora_dino-tiny_shapes_continual.py'),
]
# EU-k (configs/eu_k/eu-k_dino-tiny_shapes_continual.py) is not in this
# plan: on the Deformable DETR a fresh decoder still boxes the forgotten
# objects (deformable-detr-tiny_shapes_fresh-decoder.py), and its DINO runs
# would double the plan's time.
