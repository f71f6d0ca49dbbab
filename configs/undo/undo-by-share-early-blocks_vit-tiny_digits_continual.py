# "UNDO, noise by share" on the digits with the class token, position and
# patch embeddings and blocks 0-1 (of 4) noised a third as much as the rest,
# as the numbers config of the same name.
_base_ = ['./undo-by-share_vit-tiny_digits_continual.py',
          '../_base_/methods/undo_early_blocks.py']

train_cfg = dict(
    method=dict(
        noise_by_prefix={{_base_.undo_early_blocks_noise}},
        name='UNDO, noise by share, early blocks a third'))
