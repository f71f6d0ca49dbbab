"""Sweep the group-lasso weight alpha of a continual GS-LoRA config.

For each alpha and each mode (subgradient, as the papers; proximal) the
config runs once (finished runs are reused) and the table gives, averaged
over the tasks: H-Mean, Acc_f, Acc_r and the ratio of zero groups (group
norm at most the wrapper's ``zero_threshold``), plus the last task's group
norms. A plot shows zero-group ratio and H-Mean against alpha (the papers'
Fig. 2). ``--results PAGE:NAME`` also writes the table into a section of a
results page (docs/en/results/PAGE).

Example:
    python tools/sweep_group_sparsity.py \\
        configs/gs_lora/gs-lora_vit-6b_numbers_continual.py \\
        --alphas 0 1e-3 1e-2 1e-1 1 --out-dir work_dirs/sweep_alpha
"""
import argparse
import json
import os.path as osp

from mmforget.benchmarks.plots import MODES, sweep_plot
from mmforget.benchmarks.sweeps import sweep_group_sparsity
from mmforget.benchmarks.tables import publish, sweep_table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--alphas', type=float, nargs='+',
                        default=[0, 1e-3, 1e-2, 1e-1, 1])
    parser.add_argument('--modes', nargs='+', choices=MODES,
                        default=list(MODES))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-dir', default='work_dirs/sweep_alpha')
    parser.add_argument('--results', metavar='PAGE:NAME',
                        help='also write the table into this results page '
                        'section')
    args = parser.parse_args()
    rows = sweep_group_sparsity(args.config, args.alphas, args.modes,
                                args.seed, args.out_dir)
    text = sweep_table(rows)
    print(text)
    with open(osp.join(args.out_dir, 'sweep.md'), 'w') as f:
        f.write(text)
    with open(osp.join(args.out_dir, 'sweep.json'), 'w') as f:
        json.dump([dict(mode=m, alpha=a, tasks=t) for m, a, t in rows], f,
                  indent=1)
    sweep_plot(rows, osp.join(args.out_dir, 'sweep.png'))
    publish(args.results, text)
    print(f'wrote {args.out_dir}/sweep.{{md,json,png}}')


if __name__ == '__main__':
    main()
