# Does a detector still box the objects it forgot when its decoder never
# saw them? EU-k on the tiny shapes Deformable DETR (the whole decoder side
# re-initialised each task and trained on the kept shapes' images over the
# original's frozen backbone, neck and encoder) beside Head reset,
# GS-LoRA and UNDO (the whole detector, or its transformer, noised towards
# a fresh one and trained for 6 epochs), forget ring then triangle, 2
# seeds: AP_f / AP_r / AP_o and the Forgotten-Object Fate, whose class-agnostic recall is the detector's
# attack that tells the original from Retrain (Retrain's runs are in
# deformable-detr-tiny_shapes_depth.py). Read by `tools/compare_methods.py
# --plan` (`make -f research.mk shapes-fresh-decoder`). The reference of the
# time ratio is GS-LoRA, the reference of the detection targets' AP_r.
# None is tuned: the shapes set has no split besides train and the scored
# one, so every method runs with its config's values.
reference = 'GS-LoRA'
tune = dict(seed=0, options=[])
settings = [dict(name='full data', suffix='', seeds=[0, 1])]
methods = [
    dict(name='Head reset',
         config='configs/head_reset/'
         'head-reset_deformable-detr-tiny_shapes_continual.py'),
    dict(name='EU-k (decoder)',
         config='configs/eu_k/eu-k_deformable-detr-tiny_shapes_continual.py'),
    # The encoder re-initialised and trained with the decoder side: only
    # the ResNet backbone and the neck stay the original's.
    dict(name='EU-k (encoder and decoder)',
         config='configs/eu_k/eu-k_deformable-detr-tiny_shapes_continual.py',
         options=['train_cfg.method.keep=[backbone,neck]']),
    dict(name='GS-LoRA',
         config='configs/gs_lora/'
         'gs-lora_deformable-detr-tiny_shapes_continual.py'),
    # The protocol leaves the backbone's batch norms in train mode, so their
    # running statistics drift during a task although no backbone weight
    # trains; this variant keeps the original's (EU-k's configs do).
    # A whole detector noised towards a fresh one (0.75 of the way, the
    # forgotten logit removed first) and trained on the kept shapes for 6
    # epochs, under a third of Retrain's 20: does what is left of the
    # original's encoder still box the forgotten objects?
    dict(name='UNDO, one noise',
         config='configs/undo/'
         'undo-one-noise_deformable-detr-tiny_shapes_continual.py'),
    # The same with the ResNet and the neck at their trained weights: only
    # the transformer is noised (where EU-k found the localisation).
    dict(name='UNDO, one noise, ResNet and neck kept',
         config='configs/undo/'
         'undo-one-noise-transformer_deformable-detr-tiny_shapes_continual.py'),
    dict(name='GS-LoRA, batch norms frozen',
         config='configs/gs_lora/'
         'gs-lora_deformable-detr-tiny_shapes_continual.py',
         options=['model.backbone.norm_eval=True']),
]
