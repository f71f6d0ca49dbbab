# The parts every continual-forgetting config shares: the loop that runs all
# tasks, the GS-LoRA optimizer wrapper and a per-task schedule. A config also
# sets `val_evaluator`/`test_evaluator` to mmforget.ForgettingMetric and
# `default_hooks.checkpoint=None` (each task writes task_<t>.pth instead).
custom_imports = dict(imports=['mmforget'], allow_failed_imports=False)

train_cfg = dict(
    type='mmforget.ContinualForgettingLoop', max_epochs=100, val_interval=10,
    select='last', method=dict(type='mmforget.GSLoRA'))
val_cfg = dict()
test_cfg = dict()

optim_wrapper = dict(
    type='mmforget.GroupSparseOptimWrapper',
    constructor='mmforget.GroupSparseOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-2, weight_decay=0.05),
    alpha=1e-4,
    mode='subgradient')
# Rebuilt for every task, so each task gets the whole cosine schedule.
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max=100, eta_min=1e-5,
         convert_to_iter_based=True)
]
# Publishes the task stored in a task_<t>.pth for tools/test.py.
custom_hooks = [dict(type='mmforget.ForgettingTaskHook')]
