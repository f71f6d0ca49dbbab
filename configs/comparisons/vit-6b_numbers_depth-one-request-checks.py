# The rows of the one-request comparison whose depth checks
# `make -f research.mk depth-one-request` runs: the reference, Head reset,
# PRR and UNDO, with and without a teacher (the checks take about five
# minutes a model on 2 cores: every row of the runs table would not fit
# a working session). The runs and the picks are the one-request plan's.
_base_ = ['./vit-6b_numbers_depth-one-request.py']
rows = ('Retrain (converged)', 'Head reset', 'PRR', 'UNDO',
        'UNDO, no teacher, noise 0.7, lr 0.004 (ablation)',
        'UNDO, no teacher', 'UNDO, no teacher, noise 0.8 (ablation)',
        'UNDO, no teacher, head reset first (ablation)')
