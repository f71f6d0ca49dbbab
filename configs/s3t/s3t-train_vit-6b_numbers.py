# S3T's training on the handwritten numbers: a base ViT trained on the
# numbers 00-49 (never deleted), then the numbers 50-99 in five slices of
# ten (50-59, ..., 90-99), each of five slice orders (cyclic rotations, so
# that every slice comes last in one) trained step by step: step i trains
# the adapters of one block from the top down and the head, on the base
# images and the first i + 1 slices, and keeps a checkpoint. Writes
# <work_dir>/s3t_store (index.json: the slices, the orders and every
# checkpoint's lineage). `make -f research.mk s3t-numbers`.
_base_ = [
    '../_base_/models/vit-6b_numbers.py',
    '../_base_/datasets/handwritten_numbers.py',
    'mmpretrain::_base_/default_runtime.py',
    '../_base_/methods/s3t_train.py',
]

model = dict(type='ForgettingClassifier', lora=dict(rank=4, alpha=1.0))
default_hooks = dict(checkpoint=None, logger=dict(interval=50))
randomness = dict(seed=0)

# The pre-training's one-pixel random shift.
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='RandomCrop', crop_size=(8, 16), padding=1),
        dict(type='PackInputs'),
    ]))
train_cfg = dict(
    slices=[list(range(50 + 10 * g, 60 + 10 * g)) for g in range(5)],
    base_epochs=60)
