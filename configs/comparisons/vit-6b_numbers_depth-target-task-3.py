# The 4 x 20 target rows' last task (task 3: 80 of the 100 numbers
# forgotten, 20 kept) on this build of the original: the reference, Head
# reset and the two UNDO rows whose noise rule differs (grown by the share
# forgotten, or one noise for every task), checked at task 3 only, so that
# runs and checks fit a working session on 2 cores (about 85 minutes).
# Same tuning and out dir as the whole plan (the first task on val).
# `make -f research.mk depth-numbers-target-task-3`.
_base_ = ['./vit-6b_numbers_depth-target.py']
checked = ('Retrain (converged)', 'Head reset', 'UNDO, noise by share',
           'UNDO, one noise')
methods = [m for m in _base_.methods if m['name'] in checked]
missing = set(checked) - {m['name'] for m in methods}
if missing:  # a renamed row must not drop out silently
    raise ValueError(f'the target plan has no row named {missing}: '
                     'rename it here too')
