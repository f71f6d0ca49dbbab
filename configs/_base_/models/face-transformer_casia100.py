# The papers' face model: Face Transformer (depth 6) + CosFace (s=64, m=0.35)
# over 100 identities; 19,157,504 parameters. Input: ToTensor only. The
# papers' attention scale (embed_dims ** -0.5) and LayerNorm eps (1e-5), so
# the authors' converted weights compute the papers' function.
model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(
        num_classes=100, mean=[0.0, 0.0, 0.0], std=[255.0, 255.0, 255.0],
        to_rgb=True),
    backbone=dict(type='FaceTransformer', depth=6, attn_scale='embed_dims',
                  norm_eps=1e-5),
    neck=None,
    head=dict(
        type='MarginCosineHead', num_classes=100, in_channels=512,
        scale=64.0, margin=0.35, margin_type='cosface',
        margin_at_test=False))
