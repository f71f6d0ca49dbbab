# The relearning attacks' control at task 2 of 4 x 20 (60 numbers
# forgotten, 40 kept), on the task-2 plan's runs: beside the k-shot
# relearning of the forgotten numbers (head only, every weight), the same
# fine-tuning on the forgotten numbers' images with each digit turned a
# quarter turn, glyphs no model was trained on, learnt into the same head
# rows. A model with better features than Retrain's learns the turned
# classes faster too; relearning faster than Retrain is residue only where
# the turned classes are not learnt faster. Its checks are kept apart from
# the task-2 plan's (`checks_name`), its runs are that plan's. Whole-model
# relearning of the forgotten numbers themselves is in the task-2 plan's
# table (the same check, seed and runs); head relearning, cheap, is here
# again beside its control.
# `make -f research.mk depth-numbers-target-task-2-turned`.
_base_ = ['./vit-6b_numbers_depth-target-task-2.py']
checks_name = 'turned'
checks = [
    dict(type='mmforget.RelearnCurve', mode='head', eval_every=50),
    dict(type='mmforget.RelearnCurve', mode='head_turned', eval_every=50),
    dict(type='mmforget.RelearnCurve', mode='full_turned', eval_every=50),
]
