"""Tuning on the validation split, never on test.

Two uses: a plan's methods, each over its grid with the same budget
(``tune_plan``), and one config over a grid given on the command line,
ranked with optional limits on the validation Acc_f / Acc_o
(``tune_config``, ``tools/tune_on_val.py``). Grid points are ranked by the
validation H-Mean that the continual loop writes for each task (the
summary's ``val`` entry).
"""
import itertools
import json
import os
import os.path as osp

from mmengine.logging import print_log

from .plans import tuning_jobs
from .runs import collect, options_tag, run
from .statistics import mean

VAL_KEYS = ('h_mean', 'forget', 'retain', 'old')


def parse_grid(items):
    """``key=v1|v2`` strings -> [(key, [v1, v2])]."""
    grid = []
    for item in items:
        key, sep, values = item.partition('=')
        if not sep or not values:
            raise ValueError(f'a grid takes key=v1|v2|..., got {item!r}')
        grid.append((key, values.split('|')))
    return grid


def grid_points(grid):
    """Every combination of a parsed grid, as (key, value) pairs."""
    keys = [k for k, _ in grid]
    return [list(zip(keys, values))
            for values in itertools.product(*[v for _, v in grid])]


def rank_best_first(results, h_mean_of, meets_limits=lambda result: True):
    """Sort grid points in place, best first: those within the limits
    first, then by validation H-Mean, points without a score last."""
    def key(result):
        score = h_mean_of(result)
        return (not meets_limits(result), -(-1 if score is None else score))
    results.sort(key=key)


def val_score(summary, key='h_mean'):
    """The mean over tasks of a summary's validation ``key``."""
    return mean([t.get('val', {}).get(key) for t in summary['tasks']])


def tune_plan(plan, out_dir, runner=None):
    """The pick of every method with a grid: the best mean validation
    H-Mean of its tuning runs, or its ``pick_most`` rule's point. With
    ``runner`` the missing runs are trained and ``<out_dir>/tuning.json``
    written; without it only finished runs count. Returns ({method:
    options}, {method: ranked points})."""
    points = tuning_jobs(plan, out_dir)
    summaries = collect([job for _, job in points], runner)
    picks, table = {}, {}
    for ((name, options), _), summary in zip(points, summaries):
        if summary is None:
            continue
        table.setdefault(name, []).append(
            dict(options=options, val=val_score(summary),
                 retain=val_score(summary, 'retain')))
    for name, rows in table.items():
        rank_best_first(rows, lambda row: row['val'])
        picks[name] = rows[0]['options']
    for method in plan['methods']:
        rule = method.get('pick_most')
        if rule and method['name'] in table and rule['of'] in table:
            picks[method['name']] = pick_most(
                table[method['name']], rule, table[rule['of']][0]['retain'])
    os.makedirs(out_dir, exist_ok=True)
    if runner is not None:
        with open(osp.join(out_dir, 'tuning.json'), 'w') as f:
            json.dump(dict(seed=plan['tune']['seed'],
                           options=plan['tune']['options'], results=table,
                           picks=picks), f, indent=1)
    return picks, table


def pick_most(rows, rule, reference_retain):
    """The options of the row with the largest ``rule['option']`` among
    those whose validation Acc_r is within ``rule['keep_within']`` of
    ``reference_retain``; the best-ranked row when none is (or when the
    scores are missing)."""
    option, margin = rule['option'], rule['keep_within']
    kept = [row for row in rows if row['retain'] is not None
            and reference_retain is not None
            and row['retain'] >= reference_retain - margin]
    if not kept:
        print_log(f'no point keeps val Acc_r within {margin} of '
                  f'{rule["of"]}\'s: the best H-Mean is the pick',
                  logger='current')
        return rows[0]['options']
    return max(kept, key=lambda row: float(row['options'][option]))[
        'options']


def limits_check(max_forget=None, max_old=None):
    """Whether a tuning result's mean validation Acc_f / Acc_o are within
    the limits (a missing score meets any limit)."""
    def meets_limits(result):
        return all(result['val'][k] is None or result['val'][k] <= limit
                   for k, limit in (('forget', max_forget),
                                    ('old', max_old))
                   if limit is not None)
    return meets_limits


def tune_config(config, grid, seeds, out_dir, max_forget=None,
                max_old=None):
    """Every point of ``grid`` (parsed) run with every seed (finished runs
    reused), ranked best first; writes ``<out_dir>/tune.json``. Returns
    the ranked results ({options, val: {key: mean}}) and whether the best
    meets the limits."""
    results = []
    for options in grid_points(grid):
        print_log(f'grid point {dict(options)}', logger='current')
        runs = [run(config, seed, out_dir, [f'{k}={v}' for k, v in options],
                    options_tag(options))
                for seed in seeds]
        if any('val' not in t for r in runs for t in r['tasks']):
            raise ValueError(f'{config} has no validation scores: give it '
                             'a val_dataloader and val_evaluator')
        scores = {k: mean([t['val'].get(k) for r in runs
                           for t in r['tasks']]) for k in VAL_KEYS}
        results.append(dict(options=dict(options), val=scores))
    meets_limits = limits_check(max_forget, max_old)
    rank_best_first(results, lambda r: r['val']['h_mean'], meets_limits)
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, 'tune.json'), 'w') as f:
        json.dump(dict(config=config, seeds=list(seeds), results=results),
                  f, indent=1)
    return results, meets_limits(results[0])
