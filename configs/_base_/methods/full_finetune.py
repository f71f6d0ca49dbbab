# The optimizer of the methods that train the model's own weights (no
# adapters): a plain OptimWrapper with AdamW, weight decay 0.05 as in the
# papers' baselines. A config combines it with a protocol base and sets
# its learning rate and `train_cfg.method`, e.g.
#   _base_ = ['../_base_/protocols/vit-tiny_digits_continual.py',
#             '../_base_/methods/full_finetune.py']
#   optim_wrapper = dict(optimizer=dict(lr=1e-3))
#   train_cfg = dict(method=dict(type='mmforget.FineTune'))
# Which weights train is the method's choice (`set_trainable`).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05))
