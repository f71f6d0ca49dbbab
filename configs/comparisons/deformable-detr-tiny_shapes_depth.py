# Is the object gone from the shapes detector? Head reset (the forgotten
# class's logit removed from every decoder layer, nothing else changed),
# PRR (mmforget's own method) and GS-LoRA against a Retrain detector per
# task, forget ring then triangle, 2 seeds: AP_f / AP_r / AP_o and the
# Forgotten-Object Fate (detected / relabelled / background, class-agnostic
# recall). Read by `tools/compare_methods.py --plan` (`make -f research.mk
# depth-shapes`). The cheap runs come first, so that an interrupted
# comparison has them; finished runs are reused.
# None is tuned: the shapes set has no split besides train and the scored
# one, so every method runs with its config's values (PRR with GS-LoRA's
# detector adapters, optimizer and epochs; its alpha_f 30 was chosen on
# the test split's AP of the kept classes after the projection alone, so
# its rows are not a tuned-on-val result).
reference = 'Retrain'
# A check decides only where O lies outside Retrain's mean +- 2 std and at
# least 5 points from that mean, as on the numbers.
min_gap = 5.0
tune = dict(seed=0, options=[])
settings = [dict(name='full data', suffix='', seeds=[0, 1])]
methods = [
    dict(name='Head reset',
         config='configs/head_reset/'
         'head-reset_deformable-detr-tiny_shapes_continual.py'),
    dict(name='PRR',
         config='configs/prr/prr_deformable-detr-tiny_shapes_continual.py'),
    # The numbers' projection strength, for contrast: it costs the kept
    # classes more AP than the repair gives back.
    dict(name='PRR, alpha_f 300',
         config='configs/prr/prr_deformable-detr-tiny_shapes_continual.py',
         options=['train_cfg.method.alpha_f=300.0']),
    dict(name='GS-LoRA',
         config='configs/gs_lora/'
         'gs-lora_deformable-detr-tiny_shapes_continual.py'),
    dict(name='Retrain',
         config='configs/retrain/'
         'retrain_deformable-detr-tiny_shapes_continual.py'),
]
# The depth checks that read a detector's objects (each ground-truth box is
# a sample: the last decoder layer's query matched to it, its class): the
# matched queries' accuracy, and linear, k-NN and MLP probes on the queries.
checks = [
    dict(type='mmforget.StandardReport'),
    dict(type='mmforget.LinearProbe'),
    dict(type='mmforget.KNNProbe'),
    dict(type='mmforget.MLPProbe'),
]
