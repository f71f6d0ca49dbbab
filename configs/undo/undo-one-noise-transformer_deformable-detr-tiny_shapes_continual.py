# "UNDO, one noise" on the shapes detector with the ResNet backbone and the
# neck kept at their trained weights (noise 0 there, still trained): only
# the transformer (encoder, decoder, queries, heads) starts 0.75 of the way
# to a fresh one. EU-k showed that the forgotten objects' localisation
# lives in the encoder, not the ResNet, and a noised ResNet is what a
# 6-epoch budget cannot rebuild.
_base_ = ['./undo-one-noise_deformable-detr-tiny_shapes_continual.py']

train_cfg = dict(
    method=dict(noise_by_prefix={'backbone.': 0.0, 'neck.': 0.0},
                name='UNDO, one noise, ResNet and neck kept'))
