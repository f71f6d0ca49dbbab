# The 4 x 20 target rows' last task (task 3: 80 of the 100 numbers
# forgotten, 20 kept) on this build of the original: the reference, Head
# reset and the two UNDO rows whose noise rule differs (grown by the share
# forgotten, or one noise for every task), checked at task 3 only, so that
# runs and checks fit a working session on 2 cores (about 85 minutes).
# Same tuning and out dir as the whole plan (the first task on val).
# `make -f research.mk depth-numbers-target-task-3`.
_base_ = ['./vit-6b_numbers_depth-target.py']
rows = ('Retrain (converged)', 'Head reset', 'UNDO, noise by share',
        'UNDO, one noise')
