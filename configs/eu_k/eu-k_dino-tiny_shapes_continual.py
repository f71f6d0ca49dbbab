# EU-k on the tiny shapes DINO (tasks ring, then triangle), with the values
# of eu-k_deformable-detr-tiny_shapes_continual.py: the decoder side (its
# layers, queries, proposal and denoising layers, branches) re-initialised
# each task and trained on the kept shapes' images; backbone, neck and
# encoder frozen.
_base_ = '../_base_/protocols/dino-tiny_shapes_continual.py'

# norm_eval: the frozen backbone's batch norms keep the original's running
# statistics (in train mode they would drift to the kept shapes' images).
model = dict(aux_loss=True, backbone=dict(norm_eval=True))
train_dataloader = dict(batch_size=16, dataset=dict(mem_rate=1.0))
train_cfg = dict(method=dict(type='mmforget.EUk', k=6))
model_wrapper_cfg = dict(find_unused_parameters=True)
