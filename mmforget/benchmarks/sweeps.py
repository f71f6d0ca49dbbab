"""The group-lasso weight alpha of a continual GS-LoRA config, swept.

For each alpha and each mode (subgradient, as the papers; proximal) the
config runs once (``runs.run``: finished runs are reused); alpha 0 runs
once, with no mode.
"""
from mmengine.logging import print_log

from .plots import MODES
from .runs import run


def sweep_group_sparsity(config, alphas, modes=MODES, seed=0,
                         out_dir='work_dirs/sweep_alpha'):
    """Rows of (mode, alpha, per-task summaries)."""
    rows = []
    for alpha in alphas:
        for mode in (['none'] if alpha == 0 else modes):
            print_log(f'alpha {alpha:g}, {mode}', logger='current')
            options = [f'optim_wrapper.alpha={alpha}']
            if mode != 'none':
                options.append(f'optim_wrapper.mode={mode}')
            summary = run(config, seed, out_dir, options,
                          tag=f'_{mode}_alpha{alpha:g}')
            rows.append((mode, alpha, summary['tasks']))
    return rows
