"""Tune, run and tabulate the methods of a comparison plan.

A plan (configs/comparisons/*.py) names the reference method, the tuning
runs (seed, extra options), the settings (a config suffix and seeds each),
the methods (a config path with ``{setting}``, a grid, or ``pick_of``
another method plus fixed ``options``, e.g. a shorter schedule) and
optionally ``options`` for every run. Every run is a
``compare_methods.run``: a finished run is reused, so the comparison can be
spread over several sittings; ``--jobs`` runs several at once.
"""
import itertools
import json
import os
import os.path as osp
import re
from concurrent.futures import ThreadPoolExecutor

from compare_methods import mean, run
from tune_on_val import rank_best_first, tag

PAPERS_CELL = ('h_mean', 'retain', 'forget', 'old')


def slug(text):
    return re.sub(r'[^A-Za-z0-9.=+-]+', '-', text).strip('-')


def options_tag(options):
    """The work-dir suffix of a run's options: full keys, as
    ``tune_on_val`` names its runs, so that keys with the same last part
    (``optim_wrapper.alpha``, ``model.lora.alpha``) never share a dir."""
    return tag(list(options.items())) if options else ''


def load_plan(path):
    from mmengine.config import Config
    plan = Config.fromfile(path)
    names = [m['name'] for m in plan.methods]
    if plan.reference not in names:
        raise SystemExit(f'{path}: the reference {plan.reference!r} is not '
                         f'one of the methods {names}')
    return plan


class Runner:
    """Runs (config, seed, options) jobs, ``jobs`` at a time."""

    def __init__(self, jobs):
        self.jobs = max(1, jobs)
        self.threads = (max(1, (os.cpu_count() or 1) // self.jobs)
                        if self.jobs > 1 else None)

    def map(self, tasks):
        """``tasks``: (config, seed, out_dir, options dict); summaries or
        None for runs that failed (reported, the others go on)."""
        def one(task):
            config, seed, out_dir, options = task
            try:
                return run(config, seed, out_dir,
                           [f'{k}={v}' for k, v in options.items()],
                           options_tag(options), self.threads)
            except Exception as error:  # noqa: BLE001 (report, go on)
                print(f'FAILED {config} seed {seed} {options}: {error}',
                      flush=True)
                return None
        with ThreadPoolExecutor(self.jobs) as pool:
            return list(pool.map(one, tasks))


def tune(plan, out_dir, runner, run_missing=True):
    """The pick of every method with a grid: best mean validation H-Mean of
    the tuning runs (only the finished ones without ``run_missing``).
    Returns {method: options} and each method's ranked points."""
    full = plan.settings[0]
    tasks, keys = [], []
    for method in plan.methods:
        grid = method.get('grid')
        if not grid:
            continue
        names = list(grid)
        for values in itertools.product(*[grid[n] for n in names]):
            options = dict(zip(names, values))
            extra = dict(o.split('=', 1)
                         for o in plan.get('options', []) + plan.tune.options)
            tasks.append((method['config'].format(setting=full['suffix']),
                          plan.tune.seed, osp.join(out_dir, 'tune'),
                          dict(extra, **options)))
            keys.append((method['name'], options))
    summaries = (runner.map(tasks) if run_missing else
                 [finished(*task) for task in tasks])
    picks, table = {}, {}
    for (name, options), summary in zip(keys, summaries):
        if summary is None:
            continue
        score = mean([t.get('val', {}).get('h_mean')
                      for t in summary['tasks']])
        table.setdefault(name, []).append(dict(options=options, val=score))
    for name, rows in table.items():
        rank_best_first(rows, lambda row: row['val'])
        picks[name] = rows[0]['options']
    os.makedirs(out_dir, exist_ok=True)
    if not run_missing:
        return picks, table
    with open(osp.join(out_dir, 'tuning.json'), 'w') as f:
        json.dump(dict(seed=plan.tune.seed, options=plan.tune.options,
                       results=table, picks=picks), f, indent=1)
    return picks, table


def plan_runs(plan, out_dir, picks):
    """Every run of the plan: (setting name, method name, job), a job being
    (config, seed, out_dir, options) as ``Runner.map`` takes it. The first
    seed of every setting comes first, then the second...: a comparison cut
    short has every method in every setting."""
    runs = []
    rounds = max(len(setting['seeds']) for setting in plan.settings)
    for setting, seed in [(setting, setting['seeds'][i])
                          for i in range(rounds)
                          for setting in plan.settings
                          if i < len(setting['seeds'])]:
        for method in plan.methods:
            if setting['name'] not in method.get(
                    'settings', [s['name'] for s in plan.settings]):
                continue
            tuned_as = method.get('pick_of', method['name'])
            if (method.get('grid') or 'pick_of' in method) and (
                    tuned_as not in picks):
                continue  # its tuning failed
            config = method['config'].format(setting=setting['suffix'])
            options = dict(o.split('=', 1)
                           for o in plan.get('options', []))
            options.update(picks.get(tuned_as, {}))
            options.update(o.split('=', 1)
                           for o in method.get('options', []))
            runs.append((setting['name'], method['name'],
                         (config, seed,
                          osp.join(out_dir, slug(setting['name'])),
                          options)))
    return runs


def run_plan(plan_path, out_dir, jobs=1, run_missing=True):
    plan = load_plan(plan_path)
    runner = Runner(jobs)
    picks, tuning = tune(plan, out_dir, runner, run_missing)
    runs = plan_runs(plan, out_dir, picks)
    jobs_list = [job for _, _, job in runs]
    summaries = runner.map(jobs_list) if run_missing else [
        finished(*job) for job in jobs_list]
    results = {}
    for (setting, name, job), summary in zip(runs, summaries):
        if summary is not None and summary['tasks']:
            results.setdefault(setting, {}).setdefault(name, []).append(
                dict(summary=summary, wall=wall_seconds(*job)))
    text = tables(plan, results, picks, tuning)
    with open(osp.join(out_dir, 'comparison.md'), 'w') as f:
        f.write(text)
    plot(plan, results, osp.join(out_dir, 'comparison.png'))
    print(text)


def work_dir(config, seed, out_dir, options):
    name = osp.splitext(osp.basename(config))[0]
    return osp.join(out_dir, f'{name}{options_tag(options)}_seed{seed}')


def finished(config, seed, out_dir, options):
    path = osp.join(work_dir(config, seed, out_dir, options),
                    'forgetting_summary.json')
    return json.load(open(path)) if osp.isfile(path) else None


def wall_seconds(config, seed, out_dir, options):
    path = osp.join(work_dir(config, seed, out_dir, options),
                    'wall_seconds.json')
    return json.load(open(path))['seconds'] if osp.isfile(path) else None


def mean_std(values, digits=1):
    values = [v for v in values if v is not None and v == v]
    if not values:
        return '–'
    if len(values) == 1:
        return f'{values[0]:.{digits}f}'
    m = sum(values) / len(values)
    std = (sum((v - m)**2 for v in values) / (len(values) - 1))**0.5
    return f'{m:.{digits}f}±{std:.{digits}f}'


def seconds_per_task(runs):
    return mean([t.get('train_seconds') for r in runs
                 for t in r['summary']['tasks']])


def task_cells(runs, num_tasks, record, keys):
    """Per task, ``keys(t)`` of ``record(task entry)`` as 'a / b / ...',
    each mean +- std over the runs that reached the task."""
    cells = []
    for t in range(num_tasks):
        records = [record(r['summary']['tasks'][t]) for r in runs
                   if len(r['summary']['tasks']) > t]
        cells.append(' / '.join(mean_std([x.get(k) for x in records])
                                for k in keys(t)))
    return cells


def reference_setting(plan, results, setting):
    """The setting whose reference (Retrain) runs serve ``setting``: itself
    or, where the reference does not run in it (Retrain never reads forget
    data, so it is the same for full data and few-shot), the first setting
    of the plan that has them; None if none has. ``results``: {setting:
    {method: runs}}, whatever a run is (a summary, a gap card)."""
    for name in [setting] + [s['name'] for s in plan.settings]:
        if results.get(name, {}).get(plan.reference):
            return name
    return None


def tables(plan, results, picks, tuning):
    lines = []
    for setting in plan.settings:
        runs_of = results.get(setting['name'], {})
        if not runs_of:
            continue
        donor = reference_setting(plan, results, setting['name'])
        reference = seconds_per_task(
            results[donor][plan.reference] if donor else [])
        num_tasks = max(len(r['summary']['tasks'])
                        for runs in runs_of.values() for r in runs)
        any_run = next(iter(runs_of.values()))[0]['summary']
        score = 'AP' if 'mAP' in any_run.get('metric', '') else 'Acc'
        lines += [f'### {setting["name"]} (seeds {setting["seeds"]})', '',
                  '| method | seeds | ' + ' | '.join(
                      f'task {t}: H / {score}_r / {score}_f / {score}_o'
                      for t in range(num_tasks)) +
                  ' | trainable | s / task | x Retrain | run (min) |',
                  '|---' * (num_tasks + 6) + '|']
        for method in plan.methods:
            runs = runs_of.get(method['name'])
            if not runs:
                continue
            cells = task_cells(runs, num_tasks, lambda task: task,
                               lambda t: [k for k in PAPERS_CELL
                                          if t or k != 'old'])
            first = runs[0]['summary']['tasks'][0]
            share = 100 * first['trainable_params'] / first['total_params']
            per_task = seconds_per_task(runs)
            ratio = (f'{per_task / reference:.2f}' if reference and per_task
                     else '–')
            wall = mean([r['wall'] for r in runs])
            lines.append(
                f'| {method["name"]} | {len(runs)} | ' + ' | '.join(cells) +
                f' | {share:.2f}% | {per_task:.3g} | {ratio} | ' +
                (f'{wall / 60:.1f}' if wall else '–') + ' |')
        lines.append('')
        lines += object_fate_table(plan, runs_of, num_tasks)
    if not any(m.get('grid') or 'pick_of' in m for m in plan.methods):
        return '\n'.join(lines) + '\n'
    lines += ['### Picks on the validation split (tuning runs: seed '
              f'{plan.tune.seed}, {", ".join(plan.tune.options)})', '',
              '| method | grid | pick | val H-Mean of each point, best '
              'first |',
              '|---|---|---|---|']
    for method in plan.methods:
        grid = method.get('grid')
        if 'pick_of' in method:
            lines.append(f'| {method["name"]} | pick of {method["pick_of"]}'
                         f' | {", ".join(method.get("options", []))} | – |')
            continue
        if not grid:
            lines.append(f'| {method["name"]} | not tuned | – | – |')
            continue
        points = tuning.get(method['name'], [])
        lines.append(
            f'| {method["name"]} | ' + '; '.join(
                f'{k.split(".")[-1]} {v}' for k, v in grid.items()) + ' | ' +
            ', '.join(f'{k.split(".")[-1]}={v}' for k, v in
                      picks.get(method['name'], {}).items()) + ' | ' +
            ', '.join('/'.join(str(v) for v in p['options'].values()) +
                      ': ' + ('–' if p['val'] is None else f'{p["val"]:.1f}')
                      for p in points) + ' |')
    return '\n'.join(lines) + '\n'


def object_fate_table(plan, runs_of, num_tasks):
    """Detection: where the forgotten objects went after each task
    (``ForgottenObjectFate`` in the runs' test metrics), mean +- std."""
    if not any('object_fate' in t for runs in runs_of.values()
               for r in runs for t in r['summary']['tasks']):
        return []
    lines = ['Forgotten-Object Fate (% of the forgotten boxes: detected as '
             'their class / relabelled as another class / background; '
             'class-agnostic recall of the forgotten boxes):', '',
             '| method | ' + ' | '.join(
                 f'task {t}: detected / relabelled / background / recall'
                 for t in range(num_tasks)) + ' |',
             '|---' * (num_tasks + 1) + '|']
    for method in plan.methods:
        runs = runs_of.get(method['name'])
        if not runs:
            continue
        cells = task_cells(
            runs, num_tasks, lambda task: task.get('object_fate') or {},
            lambda t: ('fof_detected', 'fof_relabelled', 'fof_background',
                       'agnostic_recall'))
        lines.append(f'| {method["name"]} | ' + ' | '.join(cells) + ' |')
    return lines + ['']


def plot(plan, results, path):
    """H-Mean and Acc_r per task, mean over seeds, one column per setting;
    each method keeps its colour and marker in every panel."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    settings = [s for s in plan.settings if results.get(s['name'])]
    if not settings:
        return
    tab20 = plt.get_cmap('tab20').colors
    colours = tab20[0::2] + tab20[1::2]  # the strong colours first
    markers = 'os^Dv<>pP*Xh'
    fig, axes = plt.subplots(2, len(settings), squeeze=False,
                             figsize=(5.5 * len(settings) + 2.5, 7))
    for col, setting in enumerate(settings):
        for index, method in enumerate(plan.methods):
            runs = results[setting['name']].get(method['name'])
            if not runs:
                continue
            style = dict(color=colours[index % len(colours)],
                         marker=markers[index % len(markers)],
                         linestyle='--' if 'pick_of' in method else '-',
                         label=method['name'])
            for row, key in enumerate(('h_mean', 'retain')):
                num_tasks = len(runs[0]['summary']['tasks'])
                values = [mean([r['summary']['tasks'][t].get(key)
                                for r in runs
                                if len(r['summary']['tasks']) > t])
                          for t in range(num_tasks)]
                axes[row][col].plot(range(num_tasks), values, **style)
                axes[row][col].set_xticks(range(num_tasks))
        for row, label in enumerate(('H-Mean', 'Acc_r')):
            axes[row][col].set_title(f'{setting["name"]}: {label} (%)')
            axes[row][col].set_xlabel('task')
    handles, labels = {}, []
    for ax in axes.flat:  # every method once, in plan order
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    labels = [m['name'] for m in plan.methods if m['name'] in handles]
    fig.legend([handles[n] for n in labels], labels, loc='center right',
               fontsize=8)
    fig.tight_layout(rect=(0, 0, 1 - 1.9 / fig.get_figwidth(), 1))
    fig.savefig(path, dpi=100)
    plt.close(fig)
