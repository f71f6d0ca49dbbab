# GS-LoRA's optimizer on a classification protocol: AdamW (lr 1e-2, wd
# 0.05) on the LoRA matrices plus the group-sparse penalty alpha * sum of
# the groups' l2 norms, applied as a subgradient. A config combines it with
# a protocol base (configs/_base_/protocols/) and adds the adapters
# (`model.lora`) and `train_cfg.method`, e.g.
#   _base_ = ['../_base_/protocols/vit-tiny_digits_continual.py',
#             '../_base_/methods/gs_lora.py']
# The adapters stay in the config: `model` belongs to the protocol, and
# their rank is the protocol's (4 for the small ViTs, 8 for the papers').
optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-2, weight_decay=0.05),
    alpha=1e-4,
    mode='subgradient')
