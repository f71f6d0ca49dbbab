"""Sweep the group-lasso weight alpha of a continual GS-LoRA config.

For each alpha and each mode (subgradient, as the papers; proximal) the
config runs once (``compare_methods.run``: finished runs are reused) and the
table gives, averaged over the tasks: H-Mean, Acc_f, Acc_r and the ratio of
zero groups (group norm at most the wrapper's ``zero_threshold``), plus the
last task's group norms. A plot shows zero-group ratio and H-Mean against
alpha (the papers' Fig. 2).

Example:
    python tools/sweep_group_sparsity.py \\
        configs/gs_lora/gs-lora_vit-6b_numbers_continual.py \\
        --alphas 0 1e-3 1e-2 1e-1 1 --out-dir work_dirs/sweep_alpha
"""
import argparse
import json
import os.path as osp

from compare_methods import mean, run

MODES = ('subgradient', 'proximal')


def sweep(config, alphas, modes, seed, out_dir):
    """Rows of (mode, alpha, per-task summaries); alpha 0 runs once."""
    rows = []
    for alpha in alphas:
        for mode in (['none'] if alpha == 0 else modes):
            options = [f'optim_wrapper.alpha={alpha}']
            if mode != 'none':
                options.append(f'optim_wrapper.mode={mode}')
            summary = run(config, seed, out_dir, options,
                          tag=f'_{mode}_alpha{alpha:g}')
            rows.append((mode, alpha, summary['tasks']))
    return rows


def task_mean(tasks, key):
    return mean([t.get(key) for t in tasks])


def table(rows):
    lines = ['| mode | alpha | H-Mean | Acc_f | Acc_r | zero-group ratio | '
             'last task group norms |', '|---|---|---|---|---|---|---|']
    for mode, alpha, tasks in rows:
        norms = ' '.join(f'{v:.2f}' for v in
                         tasks[-1].get('group_norms', {}).values())
        lines.append(
            f'| {mode} | {alpha:g} | {task_mean(tasks, "h_mean"):.2f} | '
            f'{task_mean(tasks, "forget"):.2f} | '
            f'{task_mean(tasks, "retain"):.2f} | '
            f'{task_mean(tasks, "zero_group_ratio"):.2f} | {norms} |')
    return '\n'.join(lines)


def plot(rows, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    alphas = sorted({a for _, a, _ in rows if a > 0})
    # alpha 0 sits one decade left of the smallest alpha on the log axis.
    zero_at = alphas[0] / 10 if alphas else 1e-4
    fig, (ax_zero, ax_h) = plt.subplots(1, 2, figsize=(10, 4))
    baseline = [tasks for mode, a, tasks in rows if a == 0]
    for mode, marker in zip(MODES, 'os'):
        points = [(a, tasks) for m, a, tasks in rows if m == mode]
        if not points:
            continue
        if baseline:
            points = [(zero_at, baseline[0])] + points
        xs = [a for a, _ in points]
        ax_zero.plot(xs, [task_mean(t, 'zero_group_ratio') for _, t in points],
                     marker=marker, label=mode)
        ax_h.plot(xs, [task_mean(t, 'h_mean') for _, t in points],
                  marker=marker, label=mode)
    for ax, label in ((ax_zero, 'zero-group ratio (mean over tasks)'),
                      (ax_h, 'H-Mean (mean over tasks)')):
        ax.set_xscale('log')
        ax.set_xlabel(f'alpha (alpha = 0 drawn at {zero_at:g})')
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    ax_zero.set_ylim(-0.05, 1.05)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--alphas', type=float, nargs='+',
                        default=[0, 1e-3, 1e-2, 1e-1, 1])
    parser.add_argument('--modes', nargs='+', choices=MODES,
                        default=list(MODES))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-dir', default='work_dirs/sweep_alpha')
    args = parser.parse_args()
    rows = sweep(args.config, args.alphas, args.modes, args.seed,
                 args.out_dir)
    text = table(rows)
    print(text)
    with open(osp.join(args.out_dir, 'sweep.md'), 'w') as f:
        f.write(text + '\n')
    with open(osp.join(args.out_dir, 'sweep.json'), 'w') as f:
        json.dump([dict(mode=m, alpha=a, tasks=t) for m, a, t in rows], f,
                  indent=1)
    plot(rows, osp.join(args.out_dir, 'sweep.png'))
    print(f'wrote {args.out_dir}/sweep.{{md,json,png}}')


if __name__ == '__main__':
    main()
