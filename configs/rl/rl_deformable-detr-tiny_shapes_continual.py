# RL on the tiny shapes Deformable DETR: every forgotten box relabelled with
# a random kept class (so the queries Hungarian matching gives it learn that
# class), the retain images with their own boxes; the detector's set loss on
# both, every weight trains.
_base_ = '../_base_/forgetting/deformable-detr-tiny_shapes_baselines.py'

train_cfg = dict(
    method=dict(_delete_=True, type='mmforget.RandomLabel', frozen=[]))
