# SCAR (retain-free: forget embeddings pulled to the nearest kept class's
# Gaussian, predictions on surrogate images distilled from the task-start
# model) on the digits (4 x 2). The surrogate: the handwritten two-digit
# numbers, squeezed to the digits' 8x8 (images of no digit). No retain
# image is read.
_base_ = '../_base_/forgetting/vit-tiny_digits_continual.py'

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.001, weight_decay=0.05))
train_cfg = dict(
    method=dict(
        _delete_=True, type='mmforget.SCAR', forget_weight=1.0,
        distill_weight=1.0, temperature=1.0,
        surrogate=dict(
            type='mmforget.HandwrittenNumbersDataset', split='train',
            pipeline=[dict(type='Resize', scale=(8, 8)),
                      dict(type='PackInputs')])))
