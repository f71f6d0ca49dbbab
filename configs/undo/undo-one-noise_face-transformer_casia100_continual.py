# "UNDO, one noise" on the papers' face model (Face Transformer + CosFace
# head, 4 x 20 identities of CASIA-WebFace's first 100): every weight 0.75
# of the way to a fresh model, no teacher, then Retrain's recipe on the
# kept identities' whole training split for 33 epochs, a third of Retrain's
# 100 (warm-up shortened to 2 epochs). The CosFace head keeps one weight
# row per identity as a plain parameter, not a linear layer, so the
# forgotten rows are noised like the rest (Head reset's edit needs a linear
# head). Not measured here: the face data is not on this machine.
_base_ = ['../retrain/retrain_face-transformer_casia100_continual.py']

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6 / 3e-4, by_epoch=True, end=2,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=2, end=33,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(
    max_epochs=33,
    method=dict(type='mmforget.UNDO', distill_weight=0.0, noise=0.75,
                name='UNDO, one noise'))
