# EU-k on the tiny shapes Deformable DETR (tasks ring, then triangle): each
# task re-initialises the whole decoder side (the 6 decoder layers, the
# query embedding, the reference points, the class and box branches; the
# model's own init, from the task seed) and trains it on the images of kept
# shapes only, the forgotten boxes removed (no forget sample is read). The
# backbone, neck and encoder stay the original's, frozen. The pre-training
# recipe (AdamW 4e-4, gradient clip 0.1, decoder auxiliary losses, batch
# 16) under the protocol's 10-epoch cosine schedule: half of Retrain's 20
# epochs, since the image features are already trained.
_base_ = '../_base_/protocols/deformable-detr-tiny_shapes_continual.py'

# norm_eval: the frozen backbone's batch norms keep the original's running
# statistics (in train mode they would drift to the kept shapes' images).
model = dict(aux_loss=True, backbone=dict(norm_eval=True))
train_dataloader = dict(batch_size=16, dataset=dict(mem_rate=1.0))
train_cfg = dict(method=dict(type='mmforget.EUk', k=6))
# The encoder side is frozen, so a distributed run must not expect
# gradients for it (ignored in a single process).
model_wrapper_cfg = dict(find_unused_parameters=True)
