# The loop every classification protocol shares: all tasks in one run, the
# last epoch of each task kept, a per-task cosine schedule. It names no
# method and no optimizer: a method config adds `train_cfg.method` and its
# `optim_wrapper` (configs/_base_/methods/), which merge here untouched.
# A protocol also sets `val_evaluator`/`test_evaluator` to
# mmforget.ForgettingMetric and `default_hooks.checkpoint=None` (each task
# writes task_<t>.pth instead).
custom_imports = dict(imports=['mmforget'], allow_failed_imports=False)

train_cfg = dict(
    type='mmforget.ContinualForgettingLoop', max_epochs=100, val_interval=10,
    select='last')
val_cfg = dict()
test_cfg = dict()

# Rebuilt for every task, so each task gets the whole cosine schedule.
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=100, eta_min=1e-5,
         convert_to_iter_based=True)
]
# Publishes the task stored in a task_<t>.pth for tools/test.py.
custom_hooks = [dict(type='mmforget.ForgettingTaskHook')]
