# SalUn on the tiny shapes Deformable DETR: the mask keeps the half of the
# weights with the largest gradient of the forget images' set loss, then RL
# (forgotten boxes relabelled with random kept classes + retain images) on
# those weights only.
_base_ = '../_base_/forgetting/deformable-detr-tiny_shapes_baselines.py'

train_cfg = dict(
    method=dict(_delete_=True, type='mmforget.SalUn', saliency=0.5))
