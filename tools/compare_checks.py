"""The gap cards of a comparison: the forgetting checks on every finished
run of a plan, against the plan's reference (Retrain) of the same seed.

    python tools/compare_checks.py --plan configs/comparisons/X.py \\
        --out-dir work_dirs/compare_X [--task 3] [--per-class 100]

It reads the runs ``tools/compare_methods.py --plan`` wrote (same out dir),
checks each run's ``task_<t>.pth`` (default: the last task) once and keeps
the result beside it (``checks_task_<t>.json``, reused when run again), and
writes ``gap_cards.md``: per setting a compact table (a row per method,
the main checks and the Avg.Gap), then per metric the original model (O),
Retrain (R) and every method's value, |U - R| and Residual, mean ± std
over seeds (gaps and Residuals paired by seed), and ``gap_cards.png``, the
Residuals as a methods x metrics heat map.
"""
import argparse
import json
import os
import os.path as osp
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.logging import MMLogger  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

import mmforget  # noqa: E402,F401
from comparison_plan import (load_plan, plan_runs,  # noqa: E402
                             reference_setting, tune, work_dir)
from comparison_plan import mean_std as short_mean_std  # noqa: E402
from compare_methods import mean_std  # noqa: E402
from mmforget.evaluation.checks import (AVG_GAP_METRICS,  # noqa: E402
                                        ForgettingEvaluator, add_run_time,
                                        avg_gap, forgetting_task, gap_card,
                                        metric_specs, residual, run_minutes)


def check_run(evaluator, job, checkpoint, cache):
    """U's results of one task checkpoint (and the original's, O), from
    ``cache`` when it exists. ``job``: (config, seed, out_dir, options) of
    the run, whose options (e.g. model.pretrained) apply here too."""
    if osp.isfile(cache):
        return json.load(open(cache))
    config, _, _, options = job
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({k: DictAction._parse_iterable(str(v))
                         for k, v in options.items()})
    forgotten, retained = forgetting_task(checkpoint)
    results = evaluator.evaluate(cfg, forgotten, retained, checkpoint,
                                 original=cfg.model.get('pretrained'))
    with open(cache + '.tmp', 'w') as f:
        json.dump(results, f, indent=1)
    os.replace(cache + '.tmp', cache)
    return results


def paired_gaps(runs, reference, metric):
    """|U - R| and Residual of ``metric`` per seed, each run against the
    reference run of its own seed."""
    gaps, residuals = [], []
    for seed, card in runs.items():
        r = reference.get(seed, {}).get('U', {}).get(metric)
        u = card['U'].get(metric)
        if r is not None and u is not None:
            gaps.append(abs(u - r))
            residuals.append(residual(card.get('O', {}).get(metric), u, r))
    return gaps, residuals


def residual_heatmap(plan, cards, path):
    """Per setting, methods x metrics (those whose target is Retrain's
    value), coloured by the mean Residual: 0 = like Retrain (gone), 1 = like
    the original (still there)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    specs = metric_specs()
    panels = []
    for setting, by_method in cards.items():
        reference = by_method.get(plan.reference, {})
        names = [m['name'] for m in plan.methods
                 if m['name'] in by_method and m['name'] != plan.reference]
        grid = {}
        for metric, spec in specs.items():
            if spec.direction != 'reference':
                continue
            row = []
            for name in names:
                values = [r for r in paired_gaps(by_method[name], reference,
                                                 metric)[1] if r is not None]
                row.append(sum(values) / len(values) if values else None)
            if any(v is not None for v in row):
                grid[metric] = row
        if names and grid:
            panels.append((setting, names, grid))
    if not panels:
        return
    fig, axes = plt.subplots(1, len(panels), squeeze=False, figsize=(
        1.2 + 0.9 * max(len(p[1]) for p in panels) * len(panels),
        1.5 + 0.45 * max(len(p[2]) for p in panels)))
    for ax, (setting, names, grid) in zip(axes[0], panels):
        matrix = [[float('nan') if v is None else v for v in row]
                  for row in grid.values()]
        image = ax.imshow(matrix, cmap='RdYlGn_r', vmin=0, vmax=1,
                          aspect='auto')
        for i, row in enumerate(matrix):
            for j, value in enumerate(row):
                if value == value:
                    ax.text(j, i, f'{value:.2f}', ha='center', va='center',
                            fontsize=7)
        ax.set(xticks=range(len(names)), yticks=range(len(grid)),
               title=f'{setting}: Residual (0 = Retrain, 1 = original)')
        ax.set_xticklabels(names, rotation=45, ha='right', fontsize=8)
        ax.set_yticklabels(list(grid), fontsize=8)
    fig.colorbar(image, ax=axes[0].tolist())
    fig.savefig(path, dpi=100, bbox_inches='tight')
    plt.close(fig)


# The columns of the compact table: one per question a reader has.
SUMMARY_METRICS = ('acc_f_test', 'ua', 'mia_efficacy', 'class_mia_loss_auc',
                   'probe_acc_f', 'knn_acc_f', 'proto_acc_f', 'ta', 'rte')


def summary_table(plan, cards):
    """Markdown: per setting, one row per method (and the original, O):
    U's value of each SUMMARY_METRICS, mean ± std over seeds, with the mean
    Residual where the target is Retrain's value, and the Avg.Gap."""
    specs = metric_specs()
    lines = []
    for setting, by_method in cards.items():
        reference = by_method.get(plan.reference, {})
        names = [m['name'] for m in plan.methods if m['name'] in by_method]
        original = next((c['O'] for runs in by_method.values()
                         for c in runs.values() if 'O' in c), {})
        lines += [f'### {setting}: U (Residual: 0 = like Retrain, 1 = like '
                  'the original)', '',
                  '| method | ' + ' | '.join(SUMMARY_METRICS) +
                  ' | Avg.Gap |', '|---' * (len(SUMMARY_METRICS) + 2) + '|',
                  '| original (O) | ' + ' | '.join(
                      short_mean_std([original.get(m)]) for m in SUMMARY_METRICS) +
                  ' | – |']
        for name in names:
            runs = by_method[name]
            cells = []
            for metric in SUMMARY_METRICS:
                cell = short_mean_std([c['U'].get(metric) for c in runs.values()])
                residuals = [r for r in paired_gaps(runs, reference,
                                                    metric)[1]
                             if r is not None]
                if (name != plan.reference and residuals and
                        specs[metric].direction == 'reference'):
                    cell += f' ({sum(residuals) / len(residuals):.2f})'
                cells.append(cell)
            gaps = [avg_gap(gap_card(forgotten=card['U'],
                                     reference=reference[seed]['U']),
                            AVG_GAP_METRICS)
                    for seed, card in runs.items() if seed in reference]
            cells.append(short_mean_std(gaps) if name != plan.reference else '–')
            lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
        lines.append('')
    return '\n'.join(lines)


def gap_tables(plan, cards):
    """Markdown: per setting, a metric x method table of mean ± std."""
    specs = metric_specs()
    lines = []
    for setting, by_method in cards.items():
        reference = by_method.get(plan.reference, {})
        names = [m['name'] for m in plan.methods if m['name'] in by_method]
        lines += [f'### {setting}: value (|U - R|, Residual)', '',
                  '| metric | better | O | ' + ' | '.join(names) + ' |',
                  '|---' * (len(names) + 3) + '|']
        for metric, spec in specs.items():
            original = [c['O'].get(metric) for runs in by_method.values()
                        for c in runs.values() if 'O' in c][:1]
            cells = []
            for name in names:
                runs = by_method[name]
                values = [c['U'].get(metric) for c in runs.values()]
                if all(v is None for v in values):
                    cells.append('–')
                    continue
                cell = mean_std(values)
                if name != plan.reference:
                    gaps, residuals = paired_gaps(runs, reference, metric)
                    extra = [mean_std(gaps)] if gaps else []
                    if spec.direction == 'reference' and any(
                            x is not None for x in residuals):
                        extra.append(mean_std(residuals))
                    if extra:
                        cell += ' (' + ', '.join(extra) + ')'
                cells.append(cell)
            if all(c == '–' for c in cells):
                continue
            o = f'{original[0]:.1f}' if original and original[0] is not None \
                else '–'
            lines.append(f'| {metric} | {spec.direction} | {o} | ' +
                         ' | '.join(cells) + ' |')
        lines.append('')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--plan', required=True)
    parser.add_argument('--out-dir', required=True,
                        help='the out dir of tools/compare_methods.py --plan')
    parser.add_argument('--task', type=int, default=-1,
                        help='which task checkpoint (default: the last '
                        'one any run reached)')
    parser.add_argument('--per-class', type=int, default=100)
    args = parser.parse_args()
    plan = load_plan(args.plan)
    init_default_scope('mmpretrain')
    logger = MMLogger.get_instance('compare_checks')
    picks, _ = tune(plan, args.out_dir, None, run_missing=False)
    evaluator = ForgettingEvaluator(per_class=args.per_class)
    found = []
    for setting, name, job in plan_runs(plan, args.out_dir, picks):
        run_dir = work_dir(*job)
        if osp.isdir(run_dir):
            tasks = {int(f[5:-4]) for f in os.listdir(run_dir)
                     if f.startswith('task_') and f.endswith('.pth')}
            found.append((setting, name, job, run_dir, tasks))
    task = args.task
    if task == -1:  # the last task any run reached: the same for every run
        task = max((max(tasks) for *_, tasks in found if tasks), default=0)
    cards = {}
    for setting, name, job, run_dir, tasks in found:
        if task not in tasks:
            continue
        logger.info(f'checks of {name}, {setting}, seed {job[1]}, '
                    f'task {task}')
        card = check_run(evaluator, job,
                         osp.join(run_dir, f'task_{task}.pth'),
                         osp.join(run_dir, f'checks_task_{task}.json'))
        summary = json.load(open(osp.join(run_dir,
                                          'forgetting_summary.json')))
        add_run_time(card, run_minutes(summary['tasks'], task))
        cards.setdefault(setting, {}).setdefault(name, {})[job[1]] = card
    named = {}  # e.g. few-shot settings use the full-data Retrain runs
    for setting, by_method in cards.items():
        donor = reference_setting(plan, cards, setting)
        if donor not in (None, setting):
            by_method = dict(by_method, **{
                plan.reference: cards[donor][plan.reference]})
            setting = f'{setting} ({plan.reference} of {donor})'
        named[setting] = by_method
    cards = named
    text = summary_table(plan, cards) + '\n' + gap_tables(plan, cards)
    with open(osp.join(args.out_dir, 'gap_cards.md'), 'w') as f:
        f.write(text)
    residual_heatmap(plan, cards, osp.join(args.out_dir, 'gap_cards.png'))
    print(text)


if __name__ == '__main__':
    main()
