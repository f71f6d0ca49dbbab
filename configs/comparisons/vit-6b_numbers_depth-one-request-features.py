# One request of 80 numbers (the one-request plan): the rows that act on
# the features, against Retrain and Head reset, runs and depth checks in
# their own section (`make -f research.mk depth-one-request-features`,
# about 85 minutes on 2 cores). Same out dir as the one-request plan, so
# runs and checks are shared.
# - "UNDO, noise by share" with its scale picked on val as in the
#   by-share section (the largest within 2 points of Head reset's Acc_r).
# - The same with the patch embedding and blocks 0-1 noised a third as much
#   (an ablation at the row above's val pick, not tuned on its own):
#   the early blocks' features read the forgotten numbers no better in the
#   original than in Retrain, so their noise costs training and removes
#   nothing the checks read; is the kept accuracy that noise costs won back?
# - Contrastive Unlearning, the feature-geometry family, tuned on val with
#   the depth comparison's grid (4 points).
_base_ = ['./vit-6b_numbers_depth-one-request.py']
rows = ('Retrain (converged)', 'Head reset', 'UNDO, noise by share',
        'UNDO, noise by share, early blocks a third (ablation)',
        'Contrastive unlearning')
methods = _base_.methods + [
    dict(name='UNDO, noise by share, early blocks a third (ablation)',
         config='configs/undo/'
         'undo-by-share-early-blocks_vit-6b_numbers_continual.py',
         pick_of='UNDO, noise by share'),
    dict(name='Contrastive unlearning',
         config='configs/contrastive_unlearning/'
         'contrastive-unlearning_vit-6b_numbers_continual.py',
         grid={'optim_wrapper.optimizer.lr': [3e-4, 1e-3],
               'train_cfg.method.forget_weight': [0.3, 1.0]}),
]
