# Retrain of the tiny shapes Deformable DETR, the reference of the shapes
# forgetting runs (tasks ring, then triangle): per task a fresh detector
# trained with the pre-training recipe of ../pretrain/deformable-detr-tiny_
# shapes.py (AdamW 4e-4, gradient clip 0.1, constant lr, 20 epochs, batch
# 16, decoder auxiliary losses) on every training image that shows a kept
# class, with the forgotten classes' boxes removed (they become background).
# The optimizer is the protocol's, i.e. the pre-training's, unchanged.
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual.py'

model = dict(aux_loss=True)
train_dataloader = dict(
    batch_size=16,
    dataset=dict(mem_rate=1.0))
param_scheduler = None  # constant learning rate
train_cfg = dict(
    method=dict(type='mmforget.Retrain'),
    max_epochs=20, val_interval=20)
