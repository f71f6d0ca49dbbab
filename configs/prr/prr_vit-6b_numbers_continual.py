# PRR, mmforget's own method, on the handwritten numbers (4 x 20): per task,
# project every linear layer off the forget images' own input directions,
# reset the forgotten head rows, then repair on the kept classes only with
# rank-4 adapters on attention and FFN (group lasso), merged at the end of
# the task. 10 epochs of repair on the protocol's 25% of the kept data.
# alpha_r / alpha_f and the learning rate are tuned on the validation split
# in configs/comparisons/vit-6b_numbers_depth.py.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(
    rank=4, alpha=1.0,
    targets=[r'backbone\.layers\.(\d+)\.(?:attn\.qkv|attn\.proj|'
             r'ffn\.layers\.0\.0|ffn\.layers\.1)']))
optim_wrapper = dict(optimizer=dict(lr=3e-3))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=10, eta_min=1e-5,
         convert_to_iter_based=True)
]
train_cfg = dict(
    max_epochs=10, val_interval=10,
    method=dict(type='mmforget.ProjectResetRepair', alpha_r=100.0,
                alpha_f=300.0, max_samples=1000))
