# DUCK (forget embeddings pulled to the nearest kept class's centroid, a
# temperature-scaled CE on the kept ones; the authors' CIFAR-100 weights) on
# the digits (4 x 2): the protocol every method shares.
_base_ = '../_base_/forgetting/vit-tiny_digits_continual.py'

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.001, weight_decay=0.05))
train_cfg = dict(
    method=dict(
        _delete_=True, type='mmforget.DUCK', forget_weight=1.5,
        retain_weight=1.5, temperature=2.0))
