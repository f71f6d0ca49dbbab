"""Grid-search a forgetting config on the validation split, never on test.

Every combination of the ``--grid`` values runs with each seed
(``compare_methods.run``: a finished run is reused, so a search can be
stopped and continued). Combinations are ranked by the validation H-Mean,
averaged over tasks and seeds; the validation Acc_f, Acc_r and Acc_o come
from the ``val`` entry that the continual loop writes for each task. With
``--max-forget`` / ``--max-old``, combinations whose mean validation Acc_f /
Acc_o exceed the limit rank after all those that meet it. The same grid
size for every method gives every method the same budget.

Example:
    python tools/tune_on_val.py \\
        configs/gs_lora/gs-lora_vit-6b_numbers_continual.py \\
        --grid "train_cfg.method.forget_loss.bound=12|20|30" \\
               "train_cfg.method.forget_loss.loss_weight=0.2|0.5" \\
        --out-dir work_dirs/tune_gs-lora_numbers
"""
import argparse
import itertools
import json
import os
import os.path as osp
import re

from compare_methods import mean, run

KEYS = ('h_mean', 'forget', 'retain', 'old')


def parse_grid(items):
    """``key=v1|v2`` strings -> [(key, [v1, v2])]."""
    grid = []
    for item in items:
        key, sep, values = item.partition('=')
        if not sep or not values:
            raise SystemExit(f'--grid takes key=v1|v2|..., got {item!r}')
        grid.append((key, values.split('|')))
    return grid


def tag(options):
    """A work-dir-safe name for one combination (full keys, so that
    ``optim_wrapper.alpha`` and ``model.lora.alpha`` stay apart)."""
    name = '_'.join(f'{k}={v}' for k, v in options)
    return '_' + re.sub(r'[^A-Za-z0-9.=-]+', '-', name)


def rank_best_first(results, h_mean_of, meets_limits=lambda result: True):
    """Sort grid points in place, best first: those within the limits
    first, then by validation H-Mean, points without a score last."""
    def key(result):
        score = h_mean_of(result)
        return (not meets_limits(result), -(-1 if score is None else score))
    results.sort(key=key)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--grid', nargs='+', required=True,
                        help='key=v1|v2|... (mmengine --cfg-options keys)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--out-dir', default='work_dirs/tune_on_val')
    parser.add_argument('--max-forget', type=float,
                        help='rank combinations with a larger val Acc_f last')
    parser.add_argument('--max-old', type=float,
                        help='rank combinations with a larger val Acc_o last')
    args = parser.parse_args()
    grid = parse_grid(args.grid)
    results = []
    for values in itertools.product(*[v for _, v in grid]):
        options = list(zip([k for k, _ in grid], values))
        runs = [run(args.config, seed, args.out_dir,
                    [f'{k}={v}' for k, v in options], tag(options))
                for seed in args.seeds]
        if any('val' not in t for r in runs for t in r['tasks']):
            raise SystemExit(f'{args.config} has no validation scores: '
                             'give it a val_dataloader and val_evaluator')
        scores = {k: mean([t['val'].get(k) for r in runs
                           for t in r['tasks']]) for k in KEYS}
        results.append(dict(options=dict(options), val=scores))
    def meets_limits(result):
        return all(result['val'][k] is None or result['val'][k] <= limit
                   for k, limit in (('forget', args.max_forget),
                                    ('old', args.max_old))
                   if limit is not None)

    rank_best_first(results, lambda r: r['val']['h_mean'], meets_limits)
    names = [k for k, _ in grid]
    print('| rank | ' + ' | '.join(names) +
          ' | val H-Mean | val Acc_f | val Acc_r | val Acc_o |')
    print('|---' * (len(names) + 5) + '|')
    for rank, result in enumerate(results, 1):
        cells = [result['options'][k] for k in names] + [
            '–' if result['val'][k] is None else f'{result["val"][k]:.2f}'
            for k in KEYS]
        print(f'| {rank} | ' + ' | '.join(cells) + ' |')
    os.makedirs(args.out_dir, exist_ok=True)
    with open(osp.join(args.out_dir, 'tune.json'), 'w') as f:
        json.dump(dict(config=args.config, seeds=args.seeds,
                       results=results), f, indent=1)
    print(f'best on val: {results[0]["options"]}' +
          ('' if meets_limits(results[0]) else ' (no combination meets the '
           'Acc_f / Acc_o limits)'))


if __name__ == '__main__':
    main()
