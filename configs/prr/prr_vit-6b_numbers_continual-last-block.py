# PRR on the handwritten numbers with a stronger projection in the last of
# the 6 blocks only (alpha_f 1000 there, 100 below). Why: at task 3 of the
# depth comparison PRR with alpha_f 100 reads like Retrain at blocks 3 and 4
# but not at block 5 and after, and alpha_f 1000 everywhere overshoots
# Retrain at blocks 3 and 4 (docs/en/results/depth.md).
_base_ = ['./prr_vit-6b_numbers_continual.py']

train_cfg = dict(method=dict(
    alpha_f=100.0, layer_alpha_f={r'backbone\.layers\.5\.': 1000.0}))
