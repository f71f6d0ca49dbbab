# "UNDO, one noise" on the tiny shapes Deformable DETR (tasks ring, then
# triangle): the task's forgotten logit removed first (Head reset's weights
# 0, bias -30), then every weight, the ResNet's included, moved 0.75 of the
# way to a fresh initialisation, and the whole detector trained on every
# image of a kept shape, the forgotten boxes removed (no forget sample is
# read), with the detector's own loss: no teacher (a detector's scores are
# per query, not per image). The pre-training recipe (AdamW 4e-4, gradient
# clip 0.1, decoder auxiliary losses, batch 16) for 6 epochs under a cosine
# schedule: under a third of Retrain's 20.
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual.py'

model = dict(aux_loss=True)
train_dataloader = dict(batch_size=16, dataset=dict(mem_rate=1.0))
train_cfg = dict(
    max_epochs=6, val_interval=6,
    method=dict(type='mmforget.UNDO', distill_weight=0.0, noise=0.75,
                reset_forgotten_rows=dict(value=0.0, bias=-30.0),
                name='UNDO, one noise'))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=6, eta_min=1e-5,
         convert_to_iter_based=True)
]
