# The noise of UNDO's "early blocks a third" configs, for every 4-block ViT
# here: the class token, position and patch embeddings and blocks 0-1
# noised a third as much as the rest (0.3125 against the by-share configs'
# 0.9375, both times the share forgotten). Only this variable: a method
# config adds it to its own bases and reads it as
# ``{{_base_.undo_early_blocks_noise}}``.
undo_early_blocks_noise = {
    'backbone.cls_token': 0.3125,
    'backbone.pos_embed': 0.3125,
    'backbone.patch_embed.': 0.3125,
    'backbone.layers.0.': 0.3125,
    'backbone.layers.1.': 0.3125,
}
