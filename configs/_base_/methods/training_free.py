# The optimizer of the training-free methods (SSD, SLUG), which edit the
# weights themselves: the loop builds an optimizer for every task, this one
# is never stepped. A config combines it with a protocol base and sets
# `train_cfg.method`, `train_cfg.max_epochs=0` and `param_scheduler=None`
# (both the protocol's).
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.0))
