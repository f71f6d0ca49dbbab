# RL on the tiny shapes Deformable DETR: every forgotten box relabelled with
# a random kept class (so the queries Hungarian matching gives it learn that
# class), the retain images with their own boxes; the detector's set loss on
# both, every weight trains.
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual.py'

# The protocol's AdamW (gradient clip 0.1) at the papers' usual rate.
optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(
    method=dict(type='mmforget.RandomLabel', frozen=[]))
