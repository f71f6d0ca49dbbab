"""Run forgetting configs over several seeds and tabulate H-Mean per task.

Each (config, seed) run gets its own work dir; a finished run is reused, so
an interrupted comparison continues where it stopped. The seed sets both
the training randomness and the draw of the training subset.

Example:
    python tools/compare_methods.py --seeds 0 1 2 --out-dir work_dirs/cmp \\
        configs/gs_lora/gs-lora_vit-tiny_digits_continual-4shot.py \\
        configs/gs_lora_plus/gs-lora-plus_vit-tiny_digits_continual-4shot.py
"""
import argparse
import json
import os.path as osp
import statistics
import subprocess
import sys

KEYS = ('h_mean', 'forget', 'retain', 'old', 'missing')


def run(config, seed, out_dir):
    name = osp.splitext(osp.basename(config))[0]
    work_dir = osp.join(out_dir, f'{name}_seed{seed}')
    summary = osp.join(work_dir, 'forgetting_summary.json')
    # --resume on an earlier run continues it (and does nothing if done).
    resume = ['--resume'] if osp.isfile(summary) else []
    subprocess.run(
        [sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
         '--cfg-options', f'randomness.seed={seed}',
         f'train_dataloader.dataset.seed={seed}'] + resume,
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(summary) as f:
        return json.load(f)


def mean_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return '–'
    if len(values) == 1:
        return f'{values[0]:.2f}'
    return f'{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--out-dir', default='work_dirs/compare_methods')
    args = parser.parse_args()
    rows = []
    for config in args.configs:
        runs = [run(config, seed, args.out_dir) for seed in args.seeds]
        num_tasks = len(runs[0]['tasks'])
        for key in KEYS:
            cells = [mean_std([r['tasks'][t].get(key) for r in runs])
                     for t in range(num_tasks)]
            if all(c == '–' for c in cells):
                continue
            rows.append((osp.basename(config), runs[0]['method'], key,
                         cells))
    width = max(len(r[3]) for r in rows)
    print('| config | method | score | ' +
          ' | '.join(f'task {t}' for t in range(width)) + ' |')
    print('|---' * (3 + width) + '|')
    for config, method, key, cells in rows:
        cells = cells + [''] * (width - len(cells))
        print(f'| {config} | {method} | {key} | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
