# "UNDO, noise by share" with the class token, position embedding, patch
# embedding and blocks 0-1 noised a third as much as the rest (0.3125
# against 0.9375, both times the share forgotten): the early blocks'
# features read the forgotten numbers no better in the original than in a
# Retrain that never saw them, so noise there costs training and removes
# nothing the depth checks read. The later blocks and the head start as in
# the by-share config.
_base_ = ['./undo-by-share_vit-6b_numbers_continual.py',
          '../_base_/methods/undo_early_blocks.py']

train_cfg = dict(
    method=dict(
        noise_by_prefix={{_base_.undo_early_blocks_noise}},
        name='UNDO, noise by share, early blocks a third'))
