# The rows of the 4 x 20 depth comparison that its targets are read on:
# the reference, Head reset, PRR and UNDO without a teacher, from the
# trained and from the head-edited start with its noise grown with the
# share forgotten (runs and checks of every row of vit-6b_numbers_depth.py
# take longer than a working session on 2 cores: about 90 minutes of runs
# and 3 hours of checks, 50 minutes a task, for these five alone). Same out
# dir as the whole plan, so its runs and checks are shared:
# `make -f research.mk depth-numbers-target`.
_base_ = ['./vit-6b_numbers_depth.py']
rows = ('Retrain (converged)', 'Head reset', 'PRR', 'UNDO, no teacher',
        'UNDO, noise by share', 'UNDO, one noise')
