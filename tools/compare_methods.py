"""Run forgetting configs over several seeds and tabulate them per task.

Each (config, seed) run gets its own work dir; a finished run is reused, so
an interrupted comparison continues where it stopped. The seed sets both
the training randomness and the draw of the training subset.

Two modes. A list of configs: each runs with every seed, and the scores are
tabulated. A plan (``--plan``, e.g. configs/comparisons/*.py): every method
is first tuned on the validation split with its grid (same budget for all),
its pick then runs in every setting and seed, and the comparison is written
as a markdown table in the papers' layout (H-Mean / Acc_r / Acc_f / Acc_o
per task, mean +- std over seeds) with the trainable-parameter share, the
time per task and its ratio to the reference (Retrain), plus a plot.

Examples:
    python tools/compare_methods.py --seeds 0 1 2 --out-dir work_dirs/cmp \\
        configs/gs_lora/gs-lora_vit-tiny_digits_continual-4shot.py \\
        configs/gs_lora_plus/gs-lora-plus_vit-tiny_digits_continual-4shot.py
    python tools/compare_methods.py --jobs 2 \\
        --plan configs/comparisons/vit-6b_numbers_continual.py \\
        --out-dir work_dirs/compare_numbers
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

KEYS = ('h_mean', 'forget', 'retain', 'retain_pretrained', 'old',
        'missing')
# The papers' cell: H-Mean / Acc_r / Acc_f (/ Acc_o from the second task).
PAPERS_CELL = ('h_mean', 'retain', 'forget', 'old')


def run(config, seed, out_dir, options=(), tag='', threads=None):
    """One run of ``config`` (extra ``--cfg-options`` in ``options``); its
    summary. ``tag`` names the work dir apart from other options;
    ``threads`` limits the run's CPU threads (parallel runs). The wall time
    of the run that finished it is kept in ``wall_seconds.json`` (None when
    a resumed run finished it: its time is unknown)."""
    name = osp.splitext(osp.basename(config))[0]
    work_dir = osp.join(out_dir, f'{name}{tag}_seed{seed}')
    summary = osp.join(work_dir, 'forgetting_summary.json')
    wall = osp.join(work_dir, 'wall_seconds.json')
    if osp.isfile(wall) and osp.isfile(summary):
        # Written only when a run finished: reuse it without starting it.
        print(f'finished {work_dir}', flush=True)
        with open(summary) as f:
            return json.load(f)
    # --resume on an earlier run continues it (and does nothing if done).
    resume = ['--resume'] if osp.isfile(summary) else []
    print(f'{"continuing" if resume else "running"} {work_dir}', flush=True)
    env = dict(os.environ)
    if threads:
        env['OMP_NUM_THREADS'] = env['MKL_NUM_THREADS'] = str(threads)
    start = time.time()
    result = subprocess.run(
        [sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
         '--cfg-options', f'randomness.seed={seed}',
         f'train_dataloader.dataset.seed={seed}', *options] + resume,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    if result.returncode:
        raise RuntimeError(f'{work_dir} failed:\n{result.stderr[-2000:]}')
    with open(wall, 'w') as f:
        json.dump(dict(seconds=None if resume else
                       round(time.time() - start, 1), threads=threads), f)
    with open(summary) as f:
        return json.load(f)


def score(task, key, split='test'):
    """A task's score on the test split (the summary's own fields) or on
    the validation split (its ``val`` entry, the split to tune on)."""
    return task.get(key) if split == 'test' else \
        task.get('val', {}).get(key)


def mean(values):
    values = [v for v in values if v is not None and v == v]  # no NaN
    return statistics.mean(values) if values else None


def mean_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return '–'
    if len(values) == 1:
        return f'{values[0]:.2f}'
    return f'{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='*')
    parser.add_argument('--plan', help='a comparison plan (see --help)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--out-dir', default='work_dirs/compare_methods')
    parser.add_argument('--split', choices=('test', 'val'), default='test',
                        help='the scores to tabulate (tune on val only)')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs at a time (each with cores/jobs threads)')
    parser.add_argument('--table-only', action='store_true',
                        help='with --plan: tabulate the finished runs only')
    args = parser.parse_args()
    if args.plan:
        from comparison_plan import run_plan
        return run_plan(args.plan, args.out_dir, args.jobs,
                        run_missing=not args.table_only)
    if not args.configs:
        parser.error('give configs or --plan')
    rows, all_runs = [], []
    for config in args.configs:
        runs = [run(config, seed, args.out_dir) for seed in args.seeds]
        all_runs.append((config, runs))
        num_tasks = len(runs[0]['tasks'])
        for key in KEYS:
            cells = [mean_std([score(r['tasks'][t], key, args.split)
                               for r in runs])
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
    print(f'\nMeans over seeds {args.seeds} ({args.split} split), the '
          'papers\' layout '
          '(H-Mean / Acc_r / Acc_f / Acc_o):\n')
    print('| config | method | ' +
          ' | '.join(f'task {t}' for t in range(width)) + ' |')
    print('|---' * (2 + width) + '|')
    for config, runs in all_runs:
        cells = []
        for t in range(len(runs[0]['tasks'])):
            values = [mean([score(r['tasks'][t], k, args.split)
                            for r in runs])
                      for k in PAPERS_CELL]
            cells.append('/'.join(f'{v:.2f}' for v in values
                                  if v is not None))
        print(f'| {osp.basename(config)} | {runs[0]["method"]} | ' +
              ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
