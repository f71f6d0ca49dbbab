# S3T's training (`SlicedTrainLoop`): a base on the classes no request may
# delete, then slice orders trained step by step (the adapters of the next
# blocks from the top down, and the head), a checkpoint after every step.
# A config combines it with a model, a dataset and a runtime base and adds
# the model's adapters, the slices and the base's epochs, e.g.
# configs/s3t/s3t-train_vit-6b_numbers.py. The base and every step get this
# optimizer afresh, over the weights they train, under the loop's cosine
# decay; the steps at `step_lr`.
custom_imports = dict(imports=['mmforget'], allow_failed_imports=False)

train_cfg = dict(
    type='mmforget.SlicedTrainLoop', epochs_per_step=3, step_lr=1e-2,
    batch_size=64)
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=1.0))
val_cfg = dict()
test_cfg = dict()
