# PRR, mmforget's own method, on the digits (4 x 2): project every linear
# layer off the forget images' own input directions, reset the forgotten
# head rows, repair on the kept digits only with rank-4 adapters on
# attention and FFN (group lasso), merged at the end of each task.
_base_ = [
    '../_base_/protocols/vit-tiny_digits_continual.py',
    '../_base_/methods/gs_lora.py'
]

model = dict(lora=dict(
    rank=4, alpha=1.0,
    targets=[r'backbone\.layers\.(\d+)\.(?:attn\.qkv|attn\.proj|'
             r'ffn\.layers\.0\.0|ffn\.layers\.1)']))
optim_wrapper = dict(optimizer=dict(lr=3e-3))
train_cfg = dict(
    method=dict(type='mmforget.ProjectResetRepair', alpha_r=100.0,
                alpha_f=300.0, max_samples=1000))
