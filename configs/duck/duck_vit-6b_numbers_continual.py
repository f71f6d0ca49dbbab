# DUCK (forget embeddings pulled to the nearest kept class's centroid, a
# temperature-scaled CE on the kept ones; the authors' CIFAR-100 weights) on
# the handwritten numbers (4 x 20): the protocol every method shares.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(
    method=dict(
        type='mmforget.DUCK', forget_weight=1.5,
        retain_weight=1.5, temperature=2.0))
