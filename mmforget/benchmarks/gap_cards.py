"""The gap cards of a comparison: the forgetting checks on every finished
run of a plan, against the plan's reference (Retrain) of the same seed.

Each run's task checkpoint is checked once and the result kept beside it
(``checks_task_<t>.json``, reused when run again).
"""
import json
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.logging import print_log

from mmforget.evaluation.checks import (AVG_GAP_METRICS, ForgettingEvaluator,
                                        add_run_time, avg_gap,
                                        forgetting_task, gap_card,
                                        metric_specs, residual, run_minutes)
from .comparison import copy_figure
from .plans import load_plan, plan_runs, reference_setting
from .runs import load_summary, work_dir
from .statistics import MISSING, mean_std
from .tables import publish
from .tuning import tune_plan

# The columns of the compact table: one per question a reader has.
SUMMARY_METRICS = ('acc_f_test', 'ua', 'mia_efficacy', 'class_mia_loss_auc',
                   'probe_acc_f', 'knn_acc_f', 'proto_acc_f', 'ta', 'rte')


def check_run(evaluator, job, checkpoint, cache):
    """U's results of one task checkpoint (and the original's, O), from
    ``cache`` when it exists. ``job``: (config, seed, out_dir, options) of
    the run, whose options (e.g. model.pretrained) apply here too."""
    if osp.isfile(cache):
        with open(cache) as f:
            return json.load(f)
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


def plan_gap_cards(plan, out_dir, task=-1, per_class=100):
    """{setting: {method: {seed: card}}} of the plan's finished runs at
    ``task`` (-1: the last task any run reached, the same for every run).
    A setting without its own reference runs borrows those of another
    (named 'setting (Retrain of donor)')."""
    picks, _ = tune_plan(plan, out_dir)
    evaluator = ForgettingEvaluator(per_class=per_class)
    found = []
    for setting, name, job in plan_runs(plan, out_dir, picks):
        run_dir = work_dir(*job)
        if osp.isdir(run_dir):
            tasks = {int(f[5:-4]) for f in os.listdir(run_dir)
                     if f.startswith('task_') and f.endswith('.pth')}
            found.append((setting, name, job, run_dir, tasks))
    if task == -1:
        task = max((max(tasks) for *_, tasks in found if tasks), default=0)
    cards = {}
    for setting, name, job, run_dir, tasks in found:
        if task not in tasks:
            continue
        print_log(f'checks of {name}, {setting}, seed {job[1]}, '
                  f'task {task}', logger='current')
        card = check_run(evaluator, job,
                         osp.join(run_dir, f'task_{task}.pth'),
                         osp.join(run_dir, f'checks_task_{task}.json'))
        add_run_time(card, run_minutes(load_summary(run_dir)['tasks'],
                                       task))
        cards.setdefault(setting, {}).setdefault(name, {})[job[1]] = card
    named = {}  # e.g. few-shot settings use the full-data Retrain runs
    for setting, by_method in cards.items():
        donor = reference_setting(plan, cards, setting)
        if donor not in (None, setting):
            by_method = dict(by_method, **{
                plan['reference']: cards[donor][plan['reference']]})
            setting = f'{setting} ({plan["reference"]} of {donor})'
        named[setting] = by_method
    return named


def summary_table(plan, cards):
    """Markdown: per setting, one row per method (and the original, O):
    U's value of each SUMMARY_METRICS, mean ± std over seeds, with the mean
    Residual where the target is Retrain's value, and the Avg.Gap."""
    specs = metric_specs()
    lines = []
    for setting, by_method in cards.items():
        reference = by_method.get(plan['reference'], {})
        names = [m['name'] for m in plan['methods'] if m['name'] in by_method]
        original = next((c['O'] for runs in by_method.values()
                         for c in runs.values() if 'O' in c), {})
        lines += [f'### {setting}: U (Residual: 0 = like Retrain, 1 = like '
                  'the original)', '',
                  '| method | ' + ' | '.join(SUMMARY_METRICS) +
                  ' | Avg.Gap |', '|---' * (len(SUMMARY_METRICS) + 2) + '|',
                  '| original (O) | ' + ' | '.join(
                      mean_std([original.get(m)]) for m in SUMMARY_METRICS) +
                  ' | – |']
        for name in names:
            runs = by_method[name]
            cells = []
            for metric in SUMMARY_METRICS:
                cell = mean_std([c['U'].get(metric) for c in runs.values()])
                residuals = [r for r in paired_gaps(runs, reference,
                                                    metric)[1]
                             if r is not None]
                if (name != plan['reference'] and residuals and
                        specs[metric].direction == 'reference'):
                    cell += f' ({sum(residuals) / len(residuals):.2f})'
                cells.append(cell)
            gaps = [avg_gap(gap_card(forgotten=card['U'],
                                     reference=reference[seed]['U']),
                            AVG_GAP_METRICS)
                    for seed, card in runs.items() if seed in reference]
            cells.append(mean_std(gaps) if name != plan['reference']
                         else MISSING)
            lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
        lines.append('')
    return '\n'.join(lines)


def gap_tables(plan, cards):
    """Markdown: per setting, a metric x method table of mean ± std, with
    |U - R| and the Residual of every method but the reference."""
    def cell_of(values):
        return mean_std(values, digits=2, separator=' ± ')
    specs = metric_specs()
    lines = []
    for setting, by_method in cards.items():
        reference = by_method.get(plan['reference'], {})
        names = [m['name'] for m in plan['methods'] if m['name'] in by_method]
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
                    cells.append(MISSING)
                    continue
                cell = cell_of(values)
                if name != plan['reference']:
                    gaps, residuals = paired_gaps(runs, reference, metric)
                    extra = [cell_of(gaps)] if gaps else []
                    if spec.direction == 'reference' and any(
                            x is not None for x in residuals):
                        extra.append(cell_of(residuals))
                    if extra:
                        cell += ' (' + ', '.join(extra) + ')'
                cells.append(cell)
            if all(c == MISSING for c in cells):
                continue
            o = f'{original[0]:.1f}' if original and original[0] is not None \
                else MISSING
            lines.append(f'| {metric} | {spec.direction} | {o} | ' +
                         ' | '.join(cells) + ' |')
        lines.append('')
    return '\n'.join(lines)


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
        reference = by_method.get(plan['reference'], {})
        names = [m['name'] for m in plan['methods']
                 if m['name'] in by_method and m['name'] != plan['reference']]
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


def compare_checks(plan_path, out_dir, task=-1, per_class=100, results=None,
                   image=None):
    """The gap cards of a comparison: writes ``gap_cards.md`` (the compact
    table, then the per-metric tables) and ``gap_cards.png`` in
    ``out_dir``, the compact table into the results page section
    ``results`` and the heat map to ``image`` when given. Returns the
    Markdown."""
    from mmengine.registry import init_default_scope
    plan = load_plan(plan_path)
    init_default_scope('mmpretrain')
    cards = plan_gap_cards(plan, out_dir, task, per_class)
    compact = summary_table(plan, cards)
    text = compact + '\n' + gap_tables(plan, cards)
    with open(osp.join(out_dir, 'gap_cards.md'), 'w') as f:
        f.write(text)
    figure = osp.join(out_dir, 'gap_cards.png')
    residual_heatmap(plan, cards, figure)
    copy_figure(figure, image)
    publish(results, compact)
    return text
