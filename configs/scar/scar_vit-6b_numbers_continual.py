# SCAR (retain-free: forget embeddings pulled to the nearest kept class's
# Gaussian, predictions on surrogate images distilled from the task-start
# model) on the handwritten numbers (4 x 20). The surrogate: the single
# digits, stretched to the numbers' 8x16 (images of no number). No retain
# image is read.
_base_ = '../_base_/forgetting/vit-6b_numbers_continual.py'

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.001, weight_decay=0.05))
train_cfg = dict(
    method=dict(
        _delete_=True, type='mmforget.SCAR', forget_weight=1.0,
        distill_weight=1.0, temperature=1.0,
        surrogate=dict(
            type='mmforget.DigitsDataset', split='train',
            pipeline=[dict(type='Resize', scale=(16, 8)),
                      dict(type='PackInputs')])))
