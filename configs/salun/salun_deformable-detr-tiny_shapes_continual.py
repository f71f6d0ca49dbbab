# SalUn on the tiny shapes Deformable DETR: the mask keeps the half of the
# weights with the largest gradient of the forget images' set loss, then RL
# (forgotten boxes relabelled with random kept classes + retain images) on
# those weights only.
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual.py'

# The protocol's AdamW (gradient clip 0.1) at the papers' usual rate.
optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(
    method=dict(type='mmforget.SalUn', saliency=0.5))
