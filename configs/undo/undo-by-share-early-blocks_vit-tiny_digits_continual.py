# "UNDO, noise by share" on the digits with the class token, position and
# patch embeddings and blocks 0-1 (of 4) noised a third as much as the rest,
# as the numbers config of the same name.
_base_ = ['./undo-by-share_vit-tiny_digits_continual.py']

EARLY = 0.3125
train_cfg = dict(
    method=dict(
        noise_by_prefix={
            'backbone.cls_token': EARLY,
            'backbone.pos_embed': EARLY,
            'backbone.patch_embed.': EARLY,
            'backbone.layers.0.': EARLY,
            'backbone.layers.1.': EARLY,
        },
        name='UNDO, noise by share, early blocks a third'))
