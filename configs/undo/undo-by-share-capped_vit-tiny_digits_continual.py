# "UNDO, noise by share" scaled by 1.25 and capped at 0.75 (0.25, 0.5,
# 0.75, 0.75 over the 4 x 2 tasks), as on the numbers.
_base_ = ['./undo-by-share_vit-tiny_digits_continual.py']

train_cfg = dict(
    method=dict(noise=1.25, most_noise=0.75,
                name='UNDO, noise by share, capped'))
