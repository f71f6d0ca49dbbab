# SCAR (retain-free: forget embeddings pulled to the nearest kept class's
# Gaussian, predictions on surrogate images distilled from the task-start
# model) on the digits (4 x 2). The surrogate: the handwritten two-digit
# numbers, squeezed to the digits' 8x8 (images of no digit). No retain
# image is read.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(
    method=dict(
        type='mmforget.SCAR', forget_weight=1.0,
        distill_weight=1.0, temperature=1.0,
        surrogate=dict(
            type='mmforget.HandwrittenNumbersDataset', split='train',
            pipeline=[dict(type='Resize', scale=(8, 8)),
                      dict(type='PackInputs')])))
