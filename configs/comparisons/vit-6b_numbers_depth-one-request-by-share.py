# The rows of the one-request comparison that pick UNDO's noise for depth:
# the reference, Head reset, and "UNDO, noise by share" at its validation
# pick (the largest noise that keeps the kept classes within 2 points of
# Head reset's) and at its grid's next smaller noise, runs and depth
# checks, in their own results section:
# `make -f research.mk depth-one-request-by-share` (about 80 minutes on 2
# cores). Same out dir as the one-request plan, so runs and checks are
# shared.
_base_ = ['./vit-6b_numbers_depth-one-request.py']
rows = ('Retrain (converged)', 'Head reset', 'UNDO, noise by share',
        'UNDO, noise by share, scale 0.875 (ablation)')
