"""Gone or hidden, decided: every check at every task of a comparison, and
whether it can tell anything.

A check decides only where it separates the original model (O) from
Retrain (R) beyond Retrain's seed band (``separates``: 2 std over its
seeds); elsewhere O and R read alike and a Residual is noise. For each
decisive check a method gets the Residual |U - R| / |O - R| (R: the mean
over Retrain's seeds), and a check whose attack the method's loss mimics
(``ForgettingMethod.trains_against``) is marked and left out of its worst
Residual. Each run's task checkpoint is checked once, the result kept
beside it (``depth_task_<t>.json``), the original's per task in the out dir;
a plan whose checks differ from its runs' usual ones names them
(``checks_name``: ``depth_task_<t>.<name>.json``), so neither set of
results is read for the other.
"""
import json
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.logging import print_log

from mmforget.evaluation.checks import (ForgettingEvaluator, forgetting_task,
                                        metric_specs)
from mmforget.evaluation.checks.gap_card import residual, separates
from .comparison import copy_figure
from .plans import load_plan, plan_runs
from .runs import load_summary, work_dir
from .statistics import MISSING, mean, mean_std
from .tables import markdown_table, publish
from .tuning import tune_plan

# Read beside the attacks: what a method keeps, and what it costs.
UTILITY = ('ta', 'acc_f_test')
TRAINED_AGAINST = '†'


def run_cfg(job):
    """The config of a plan job with its options applied."""
    config, _, _, options = job
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({k: DictAction._parse_iterable(str(v))
                         for k, v in options.items()})
    return cfg


def cached(path, compute):
    """``compute()``'s JSON result, kept at ``path`` and reused."""
    if osp.isfile(path):
        with open(path) as f:
            return json.load(f)
    result = compute()
    temporary = f'{path}.{os.getpid()}.tmp'
    with open(temporary, 'w') as f:
        json.dump(result, f, indent=1)
    os.replace(temporary, path)
    return result


def kept_as(plan, stem):
    """The file name of results ``stem`` of the plan's checks."""
    name = plan.get('checks_name')
    return f'{stem}.{name}' if name else stem


def check_once(checks, per_class, job, task_checkpoint, model, path):
    """The checks of ``model`` (a checkpoint, or None for the config's own
    weights) on the classes ``task_checkpoint`` forgot, kept at ``path``.
    A module-level function so that a process pool can run it."""
    if osp.isfile(path):
        return cached(path, None)
    import mmforget  # noqa: F401  (registers the scope in a new process)
    from mmengine.registry import init_default_scope
    cfg = run_cfg(job)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    forgotten, retained = forgetting_task(task_checkpoint)
    evaluator = ForgettingEvaluator(checks=checks, per_class=per_class)
    return cached(path, lambda: evaluator.evaluate(
        cfg, forgotten, retained,
        model or cfg.model.get('pretrained'))['U'])


def check_in_parallel(calls, jobs):
    """Runs the ``check_once`` argument tuples whose result is not kept yet,
    ``jobs`` at a time (the checks of one model are serial and use one core
    well at one thread)."""
    missing = [c for c in calls if not osp.isfile(c[-1])]
    if jobs <= 1 or len(missing) <= 1:
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    print_log(f'{len(missing)} models to check, {jobs} at a time',
              logger='current')
    import torch
    threads = max(1, (os.cpu_count() or 1) // jobs)
    with ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context('spawn'),
            initializer=torch.set_num_threads, initargs=(threads, )) as pool:
        for done, _ in enumerate(pool.map(check_once, *zip(*missing)), 1):
            print_log(f'checked {done} / {len(missing)}', logger='current')


def trains_against(cfg):
    """The metric prefixes the run's method trains against."""
    from mmforget.registry import METHODS
    method = METHODS.get(cfg.train_cfg.method.type)
    return list(getattr(method, 'trains_against', ()))


def plan_depth_results(plan, out_dir, tasks, per_class=100, jobs=1):
    """{task: {'O': results, method: {'seeds': {seed: results},
    'trains_against': [...]}}} over the plan's finished runs. Results are
    the checks of ``plan['checks']`` (the evaluator's defaults if absent)
    plus ``minutes``, the task's training time. The checks not kept yet run
    ``jobs`` models at a time."""
    picks, _ = tune_plan(plan, out_dir)
    checks = plan.get('checks')
    finished = []   # (name, job, task, checkpoint, summary of the task)
    for setting, name, job in plan_runs(plan, out_dir, picks):
        run_dir = work_dir(*job)
        summary_tasks = (load_summary(run_dir) or {}).get('tasks', []) \
            if osp.isdir(run_dir) else []
        for task in tasks:
            checkpoint = osp.join(run_dir, f'task_{task}.pth')
            if osp.isfile(checkpoint) and task < len(summary_tasks):
                finished.append((name, job, task, checkpoint,
                                 summary_tasks[task]))
    calls, originals = [], {}
    def results_of(checkpoint, task):
        return osp.join(osp.dirname(checkpoint),
                        kept_as(plan, f'depth_task_{task}') + '.json')

    for name, job, task, checkpoint, _ in finished:
        if task not in originals:
            originals[task] = (checks, per_class, job, checkpoint, None,
                               osp.join(out_dir, kept_as(
                                   plan, f'original_depth_task_{task}')
                                   + '.json'))
            calls.append(originals[task])
        calls.append((checks, per_class, job, checkpoint, checkpoint,
                      results_of(checkpoint, task)))
    check_in_parallel(calls, jobs)
    by_task = {}
    for name, job, task, checkpoint, summary_task in finished:
        print_log(f'depth checks of {name}, seed {job[1]}, task {task}',
                  logger='current')
        entry = by_task.setdefault(task, {})
        if 'O' not in entry:
            entry['O'] = check_once(*originals[task])
        results = check_once(checks, per_class, job, checkpoint, checkpoint,
                             results_of(checkpoint, task))
        results = dict(results, minutes=(
            summary_task.get('train_seconds') or 0) / 60)
        method = entry.setdefault(name, dict(
            seeds={}, trains_against=trains_against(run_cfg(job))))
        method['seeds'][job[1]] = results
    return by_task


def attack_metrics(entry):
    """The metrics whose target is Retrain's value, and the controls (a
    gate's openings too), that any model of the task reports, in the
    registry's order (then any others, sorted)."""
    seen = set(entry['O'])
    for name, method in entry.items():
        if name != 'O':
            for results in method['seeds'].values():
                seen |= set(results)
    specs = metric_specs()
    known = [m for m, s in specs.items()
             if (s.direction == 'reference' or s.control) and m in seen]
    return known + sorted(m for m in seen if m not in specs and
                          m.endswith(('_acc_f', '_ain')))


def decisive_rows(plan, entry):
    """One row per attack: O, R's values over its seeds, whether it
    separates O from R, and per method its values and Residuals against
    R's mean (None where the check does not separate)."""
    reference = entry.get(plan['reference'], {}).get('seeds', {})
    specs = metric_specs()
    rows = []
    for metric in attack_metrics(entry):
        o = entry['O'].get(metric)
        r_values = [r.get(metric) for r in reference.values()]
        control = metric in specs and specs[metric].control
        decides = False if control else separates(
            o, r_values, min_gap=plan.get('min_gap', 0.0))
        r_mean = mean(r_values)
        methods = {}
        for name, method in entry.items():
            if name == 'O':
                continue
            values = [r.get(metric) for r in method['seeds'].values()]
            residuals = [residual(o, u, r_mean) for u in values] \
                if decides else []
            methods[name] = dict(
                values=values,
                residual=mean(residuals),
                trained_against=any(metric.startswith(p) for p in
                                    method['trains_against']))
        rows.append(dict(metric=metric, O=o, R=r_values, decides=decides,
                         control=control, methods=methods))
    return rows


def worst_check(rows, name):
    """(largest Residual, its check) over the decisive checks the method
    does not train against; (None, None) if none decides."""
    values = [(row['methods'][name]['residual'], row['metric'])
              for row in rows
              if row['decides'] and name in row['methods']
              and not row['methods'][name]['trained_against']
              and row['methods'][name]['residual'] is not None]
    return max(values) if values else (None, None)


def worst_residual(rows, name):
    """A method's largest Residual over the decisive checks it does not
    train against (None if none decides)."""
    return worst_check(rows, name)[0]


def method_names(plan, entry):
    return [m['name'] for m in plan['methods'] if m['name'] in entry]


def task_table(plan, task, entry):
    """Markdown of one task: per attack O, R (mean ± std over its seeds),
    whether it decides, and each method's value (Residual where it
    decides); then TA, Acc_f, training minutes and the worst decisive
    Residual."""
    rows = decisive_rows(plan, entry)
    names = method_names(plan, entry)
    reference = entry.get(plan['reference'], {}).get('seeds', {})
    header = ['check', 'O', f'R ({len(reference)} seeds)', 'decides'] + names
    body = []
    for row in rows:
        cells = [row['metric'], fmt(row['O']), mean_std(row['R']),
                 'control' if row['control'] else
                 {True: 'yes', False: 'no', None: MISSING}[row['decides']]]
        for name in names:
            method = row['methods'][name]
            cell = mean_std(method['values'])
            if method['residual'] is not None:
                cell += f' ({method["residual"]:.2f})'
            if method['trained_against']:
                cell += ' ' + TRAINED_AGAINST
            cells.append(cell)
        body.append(cells)
    for metric in UTILITY + ('minutes', ):
        per_method = [mean_std([r.get(metric) for r in
                                entry[n]['seeds'].values()]) for n in names]
        body.append([f'**{metric}**', fmt(entry['O'].get(metric)),
                     mean_std([r.get(metric) for r in reference.values()]),
                     ''] + per_method)
    worst = [fmt(worst_residual(rows, n), 2) for n in names]
    body.append(['**worst decisive Residual**', '', '', ''] + worst)
    lines = [f'### Task {task}', ''] + markdown_table(header, body) + ['']
    return '\n'.join(lines)


def fmt(value, digits=1):
    return MISSING if value is None else f'{value:.{digits}f}'


def depth_markdown(plan, by_task):
    decisive = {task: [r['metric'] for r in decisive_rows(plan, entry)
                       if r['decides']]
                for task, entry in sorted(by_task.items())}
    gap = plan.get('min_gap', 0.0)
    band = 'R\'s mean ± 2 std' + (
        f' and at least {gap:g} from that mean' if gap else '')
    lines = ['Cells: mean ± std over seeds (Residual: the mean over the '
             'row\'s seeds of |U - R| / |O - R|, R the mean of Retrain\'s '
             'seeds, so a seed spread counts; only where the check decides: O '
             f'outside {band}). ' + TRAINED_AGAINST +
             ': the method\'s loss mimics that attack; its worst Residual '
             'leaves it out.' + (
                 ' "control": not an attack but what one is read against '
                 '(how fast a model learns classes no model saw); it never '
                 'decides.' if any(r['control'] for entry in by_task.values()
                                   for r in decisive_rows(plan, entry))
                 else ''), '',
             '**Checks that separate O from R:** ' + '; '.join(
                 f'task {t}: {", ".join(m) or "none"}'
                 for t, m in decisive.items()), '']
    for task, entry in sorted(by_task.items()):
        lines.append(task_table(plan, task, entry))
    return '\n'.join(lines)


def which_method_table(plan, by_task):
    """One row per method, for the question "which method should I use":
    per task its TA and its worst decisive Residual (with the check that
    gives it), its largest Acc_f over the tasks and its training minutes
    per task, each the mean over its seeds."""
    tasks = sorted(by_task)
    names = [m['name'] for m in plan['methods']
             if any(m['name'] in by_task[t] for t in tasks)]
    rows_of = {t: decisive_rows(plan, by_task[t]) for t in tasks}
    header = ['method', 'seeds'] + [
        f'task {t}: TA / worst Residual' for t in tasks] + [
        'Acc_f (worst task)', 'training min / task']
    body = []
    for name in names:
        seeds, acc_f, minutes = set(), [], []
        cells = []
        for task in tasks:
            method = by_task[task].get(name)
            if method is None:
                cells.append(MISSING)
                continue
            runs = list(method['seeds'].values())
            seeds |= set(method['seeds'])
            acc_f.append(mean([r.get('acc_f_test') for r in runs]))
            minutes.append(mean([r.get('minutes') for r in runs]))
            worst, check = worst_check(rows_of[task], name)
            ta = fmt(mean([r.get('ta') for r in runs]))
            cells.append(f'{ta} / {fmt(worst, 2)}' +
                         (f' ({check})' if check else ''))
        acc_f = [a for a in acc_f if a is not None]
        minutes = [m for m in minutes if m is not None]
        body.append([name, str(len(seeds))] + cells + [
            fmt(max(acc_f) if acc_f else None),
            fmt(mean(minutes) if minutes else None)])
    return '\n'.join(markdown_table(header, body)) + '\n'


def pareto_plot(plan, by_task, path):
    """Per task, every method's TA (mean over seeds) against its worst
    decisive Residual: the upper left is what a user wants;
    Retrain is plotted at its own seeds' Residual (the noise floor)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    tasks = sorted(by_task)
    fig, axes = plt.subplots(1, len(tasks), squeeze=False,
                             figsize=(4.2 * len(tasks), 3.8))
    for ax, task in zip(axes[0], tasks):
        entry = by_task[task]
        rows = decisive_rows(plan, entry)
        for name in method_names(plan, entry):
            # The same colour and marker for a method on every panel.
            index = [m['name'] for m in plan['methods']].index(name)
            style = dict(color=plt.cm.tab20(index % 20),
                         marker='osD^v'[index % 5])
            worst = worst_residual(rows, name)
            ta = mean([r.get('ta') for r in entry[name]['seeds'].values()])
            if worst is None or ta is None:
                continue
            ax.scatter(worst, ta, label=name, **style)
        ax.set(title=f'task {task}', xlabel='worst decisive Residual '
               '(0 = Retrain)', ylabel='TA, kept classes %')
        ax.grid(alpha=0.3)
    # One legend (labels beside close points would overlap).
    handles, labels = axes[0][-1].get_legend_handles_labels()
    fig.legend(handles, labels, loc='center left', fontsize=7,
               bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches='tight')
    plt.close(fig)


def plan_scope(plan):
    """The default scope of the plan's configs (a classifier's
    'mmpretrain', a detector's 'mmdet'), read from its first method."""
    from mmengine.config import Config
    first = plan['methods'][0]['config'].format(
        setting=plan['settings'][0]['suffix'])
    return Config.fromfile(first).get('default_scope', 'mmpretrain')


def compare_depth(plan_path, out_dir, tasks=(0, 1, 2, 3), per_class=100,
                  results=None, image=None, summary=None, jobs=1):
    """Writes ``depth.md`` and ``depth.png`` (the Pareto plot; with the
    plan's ``checks_name`` in their names) in ``out_dir``, the tables into
    the results page section ``results``, the plot to ``image`` and the
    one-row-per-method table to the section
    ``summary`` (e.g. 'README.md:which-method') when given; the checks
    not kept yet run ``jobs`` models at a time. Returns the Markdown."""
    from mmengine.registry import init_default_scope
    plan = load_plan(plan_path)
    init_default_scope(plan_scope(plan))
    by_task = plan_depth_results(plan, out_dir, tasks, per_class, jobs)
    if not by_task:
        raise RuntimeError(
            f'no finished run of {plan_path} in {out_dir}: run '
            f'tools/compare_methods.py --plan {plan_path} --out-dir '
            f'{out_dir} first')
    text = depth_markdown(plan, by_task)
    with open(osp.join(out_dir, kept_as(plan, 'depth') + '.md'), 'w') as f:
        f.write(text)
    figure = osp.join(out_dir, kept_as(plan, 'depth') + '.png')
    pareto_plot(plan, by_task, figure)
    copy_figure(figure, image)
    publish(results, text)
    publish(summary, which_method_table(plan, by_task))
    return text
