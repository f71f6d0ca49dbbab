# SCAR (retain-free: forget embeddings pulled to the nearest kept class's
# Gaussian, predictions on surrogate images distilled from the task-start
# model) on the handwritten numbers (4 x 20). The surrogate: the single
# digits, stretched to the numbers' 8x16 (images of no number). No retain
# image is read.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(
    method=dict(
        type='mmforget.SCAR', forget_weight=1.0,
        distill_weight=1.0, temperature=1.0,
        surrogate=dict(
            type='mmforget.DigitsDataset', split='train',
            pipeline=[dict(type='Resize', scale=(16, 8)),
                      dict(type='PackInputs')])))
