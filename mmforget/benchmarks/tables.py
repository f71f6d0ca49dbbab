"""Markdown tables from run summaries, and the results pages they fill.

Every table of ``docs/en/results/`` that a make target measures is written
by that target through ``write_section``: the page holds it between
``<!-- table:NAME -->`` and ``<!-- /table:NAME -->``, so a rerun replaces
the figures and nothing is pasted by hand.
"""
import os
import os.path as osp
import re

from .plans import is_tuned, reference_setting
from .statistics import MISSING, fixed, mean, mean_std

# The papers' cell: H-Mean / Acc_r / Acc_f (/ Acc_o from the second task).
PAPERS_CELL = ('h_mean', 'retain', 'forget', 'old')
# The scores of a summary's task, in the per-score table's order.
SCORE_KEYS = ('h_mean', 'forget', 'retain', 'retain_pretrained', 'old',
              'missing')
FATE_KEYS = ('fof_detected', 'fof_relabelled', 'fof_background',
             'agnostic_recall')


def markdown_table(header, rows, align=None):
    """Lines of a Markdown table: ``header`` cells, ``rows`` of cells."""
    rule = align or ['---'] * len(header)
    return (['| ' + ' | '.join(header) + ' |',
             '|' + '|'.join(rule) + '|'] +
            ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows])


def score_name(summary):
    """'AP' for detection summaries, 'Acc' for classification."""
    return 'AP' if 'mAP' in summary.get('metric', '') else 'Acc'


def task_score(task, key, split='test'):
    """A task's score on the test split (the summary's own fields) or on
    the validation split (its ``val`` entry, the split to tune on)."""
    return task.get(key) if split == 'test' else \
        task.get('val', {}).get(key)


# A single run (the demos) ---------------------------------------------------

def run_table(summary):
    """One row per task of one run: the classes forgotten, the scores
    before and after, the time; the Forgotten-Object Fate when the run
    has it (detectors)."""
    score = score_name(summary)
    tasks = summary['tasks']
    fate = any('object_fate' in t for t in tasks)
    header = ['task', 'forgotten', f'{score}_f before', f'{score}_f',
              f'{score}_r', f'{score}_r pre-trained', f'{score}_o',
              'H-Mean', 'train s']
    if fate:
        header += ['detected / relabelled / background', 'agnostic recall']
    rows = []
    for task in tasks:
        forgotten = task['forget_classes']
        total = task['num_retain_classes'] + len(forgotten)
        row = [f'{total}-{len(forgotten)}',
               ', '.join(str(c) for c in forgotten),
               fixed(task.get('forget_before')), fixed(task.get('forget')),
               fixed(task.get('retain')),
               fixed(task.get('retain_pretrained')),
               fixed(task.get('old')), fixed(task.get('h_mean')),
               fixed(task.get('train_seconds'), 1)]
        if fate:
            record = task.get('object_fate') or {}
            row += [' / '.join(fixed(record.get(k), 1)
                               for k in FATE_KEYS[:3]),
                    fixed(record.get('agnostic_recall'), 1)]
        rows.append(row)
    return '\n'.join(markdown_table(header, rows)) + '\n'


# Configs side by side over seeds (tools/compare_methods.py CONFIGS) ---------

def seed_score_table(all_runs, split='test', keys=SCORE_KEYS):
    """Per config and score, each task's mean ± std over the seeds.
    ``all_runs``: [(config path, [summaries])]."""
    rows = []
    for config, runs in all_runs:
        num_tasks = len(runs[0]['tasks'])
        for key in keys:
            cells = [mean_std([task_score(r['tasks'][t], key, split)
                               for r in runs if len(r['tasks']) > t],
                              digits=2, separator=' ± ')
                     for t in range(num_tasks)]
            if all(c == MISSING for c in cells):
                continue
            rows.append([osp.basename(config), runs[0]['method'], key,
                         cells])
    width = max((len(r[3]) for r in rows), default=0)
    return '\n'.join(markdown_table(
        ['config', 'method', 'score'] + [f'task {t}' for t in range(width)],
        [r[:3] + r[3] + [''] * (width - len(r[3])) for r in rows])) + '\n'


def seed_means_table(all_runs, split='test'):
    """Per config, each task's means over the seeds in the papers' layout
    H-Mean/Acc_r/Acc_f(/Acc_o)."""
    width = max(len(runs[0]['tasks']) for _, runs in all_runs)
    rows = []
    for config, runs in all_runs:
        cells = []
        for t in range(len(runs[0]['tasks'])):
            values = [mean([task_score(r['tasks'][t], k, split)
                            for r in runs if len(r['tasks']) > t])
                      for k in PAPERS_CELL]
            cells.append('/'.join(f'{v:.2f}' for v in values
                                  if v is not None))
        rows.append([osp.basename(config), runs[0]['method']] + cells +
                    [''] * (width - len(cells)))
    return '\n'.join(markdown_table(
        ['config', 'method'] + [f'task {t}' for t in range(width)],
        rows)) + '\n'


# A comparison plan (tools/compare_methods.py --plan) ------------------------

def seconds_per_task(runs):
    """Mean training seconds per task over runs ({summary, wall})."""
    return mean([t.get('train_seconds') for r in runs
                 for t in r['summary']['tasks']])


def seconds_cell(seconds):
    """Whole seconds from 100 up, tenths below (a training-free method's
    few milliseconds read 0.0)."""
    return f'{seconds:.0f}' if seconds >= 100 else f'{seconds:.1f}'


def task_cells(runs, num_tasks, record, keys):
    """Per task, ``keys(t)`` of ``record(task entry)`` as 'a / b / ...',
    each mean ± std over the runs that reached the task."""
    cells = []
    for t in range(num_tasks):
        records = [record(r['summary']['tasks'][t]) for r in runs
                   if len(r['summary']['tasks']) > t]
        cells.append(' / '.join(mean_std([x.get(k) for x in records])
                                for k in keys(t)))
    return cells


def comparison_tables(plan, results, picks, tuning):
    """The comparison in the papers' layout: per setting a row per method
    (H-Mean / {score}_r / {score}_f / {score}_o per task, mean ± std over
    seeds; trainable share, seconds per task and their ratio to the
    reference, minutes per run), the Forgotten-Object Fate for detectors,
    then the picks on the validation split. ``results``: {setting:
    {method: [{summary, wall}]}}."""
    lines = []
    for setting in plan['settings']:
        runs_of = results.get(setting['name'], {})
        if not runs_of:
            continue
        donor = reference_setting(plan, results, setting['name'])
        reference = seconds_per_task(
            results[donor][plan['reference']] if donor else [])
        num_tasks = max(len(r['summary']['tasks'])
                        for runs in runs_of.values() for r in runs)
        score = score_name(next(iter(runs_of.values()))[0]['summary'])
        lines += [f'### {setting["name"]} (seeds {setting["seeds"]})', '',
                  '| method | seeds | ' + ' | '.join(
                      f'task {t}: H / {score}_r / {score}_f / {score}_o'
                      for t in range(num_tasks)) +
                  ' | trainable | s / task | x ' + plan['reference'] +
                  ' | run (min) |',
                  '|---' * (num_tasks + 6) + '|']
        for method in plan['methods']:
            runs = runs_of.get(method['name'])
            if not runs:
                continue
            cells = task_cells(runs, num_tasks, lambda task: task,
                               lambda t: [k for k in PAPERS_CELL
                                          if t or k != 'old'])
            first = runs[0]['summary']['tasks'][0]
            share = 100 * first['trainable_params'] / first['total_params']
            per_task = seconds_per_task(runs)
            ratio = (f'{per_task / reference:.2f}'
                     if reference and per_task is not None else MISSING)
            wall = mean([r['wall'] for r in runs])
            lines.append(
                f'| {method["name"]} | {len(runs)} | ' + ' | '.join(cells) +
                f' | {share:.2f}% | ' +
                (seconds_cell(per_task) if per_task is not None
                 else MISSING) +
                f' | {ratio} | ' +
                (f'{wall / 60:.1f}' if wall else MISSING) + ' |')
        lines.append('')
        lines += object_fate_table(plan, runs_of, num_tasks)
        if plan.get('block_norms'):
            lines += block_norm_table(plan, runs_of, num_tasks)
    if not any(is_tuned(m) for m in plan['methods']):
        return '\n'.join(lines) + '\n'
    return '\n'.join(lines + picks_table(plan, picks, tuning)) + '\n'


def val_cell(value):
    """A validation score as a cell: one decimal, '–' when missing."""
    return '–' if value is None else f'{value:.1f}'


def pick_most_text(rule, tuning):
    """The grid cell's note of a ``pick_most`` rule, with the validation
    Acc_r it keeps within."""
    reference = tuning.get(rule['of'], [{}])[0].get('retain')
    return (f'; pick: the largest {rule["option"].split(".")[-1]} with val '
            f'Acc_r within {rule["keep_within"]:g} of {rule["of"]}\'s '
            f'({val_cell(reference)})')


def picks_table(plan, picks, tuning):
    """Lines: each method's grid, its pick and every point's validation
    H-Mean, best first."""
    options = ''.join(f', {option}' for option in plan['tune']['options'])
    lines = ['### Picks on the validation split (tuning runs: seed '
             f'{plan["tune"]["seed"]}{options})',
             '',
             '| method | grid | pick | val H-Mean of each point, best '
             'first |',
             '|---|---|---|---|']
    for method in plan['methods']:
        grid = method.get('grid')
        if 'pick_of' in method:
            lines.append(f'| {method["name"]} | pick of {method["pick_of"]}'
                         f' | {", ".join(method.get("options", []))} | – |')
            continue
        if not grid:
            lines.append(f'| {method["name"]} | not tuned | – | – |')
            continue
        points = tuning.get(method['name'], [])
        rule = method.get('pick_most')
        lines.append(
            f'| {method["name"]} | ' + '; '.join(
                f'{k.split(".")[-1]} {v}' for k, v in grid.items()) +
            (pick_most_text(rule, tuning) if rule else '') + ' | ' +
            ', '.join(f'{k.split(".")[-1]}={v}' for k, v in
                      picks.get(method['name'], {}).items()) + ' | ' +
            ', '.join('/'.join(str(v) for v in p['options'].values()) +
                      ': ' + val_cell(p['val']) +
                      (f' (Acc_r {val_cell(p.get("retain"))})' if rule
                       else '')
                      for p in points) + ' |')
    return lines


def object_fate_table(plan, runs_of, num_tasks):
    """Detection: lines of where the forgotten objects went after each task
    (``ForgottenObjectFate`` in the runs' test metrics), mean ± std; no
    lines when no run has it."""
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
    for method in plan['methods']:
        runs = runs_of.get(method['name'])
        if not runs:
            continue
        cells = task_cells(
            runs, num_tasks, lambda task: task.get('object_fate') or {},
            lambda t: FATE_KEYS)
        lines.append(f'| {method["name"]} | ' + ' | '.join(cells) + ' |')
    return lines + ['']


def block_norm_table(plan, runs_of, num_tasks):
    """Adapters: lines of which blocks each task changed, the norm of
    each block's LoRA group at the task's end (``group_norms`` in the run
    summaries), mean ± std over seeds; no lines when no run has them."""
    blocks = []
    for runs in runs_of.values():
        for run in runs:
            for task in run['summary']['tasks']:
                blocks += [g for g in task.get('group_norms') or {}
                           if g not in blocks]
    if not blocks:
        return []
    lines = ['Which blocks change: the norm of each block\'s LoRA group '
             '(all its A and B entries) at the end of each task:', '',
             '| method | task | ' + ' | '.join(
                 f'block {b}' for b in blocks) + ' |',
             '|---' * (len(blocks) + 2) + '|']
    for method in plan['methods']:
        runs = runs_of.get(method['name'])
        if not runs or not any(t.get('group_norms') for r in runs
                               for t in r['summary']['tasks']):
            continue
        cells = task_cells(runs, num_tasks,
                           lambda task: task.get('group_norms') or {},
                           lambda t: blocks)
        for t, cell in enumerate(cells):
            lines.append(f'| {method["name"]} | {t} | ' +
                         cell.replace(' / ', ' | ') + ' |')
    return lines + ['']


# One config over a grid (tools/tune_on_val.py) ------------------------------

def tuning_table(results, names):
    """The ranked grid points: their options (``names``, the grid's keys)
    and mean validation H-Mean, Acc_f, Acc_r, Acc_o."""
    rows = [[rank] + [result['options'][k] for k in names] + [
        fixed(result['val'][k]) for k in ('h_mean', 'forget', 'retain',
                                          'old')]
        for rank, result in enumerate(results, 1)]
    return '\n'.join(markdown_table(
        ['rank'] + list(names) +
        ['val H-Mean', 'val Acc_f', 'val Acc_r', 'val Acc_o'], rows)) + '\n'


# The group-sparsity sweep (tools/sweep_group_sparsity.py) -------------------

def task_mean(tasks, key):
    """The mean of ``key`` over a run's tasks."""
    return mean([t.get(key) for t in tasks])


def sweep_table(rows):
    """Per (mode, alpha): H-Mean, Acc_f, Acc_r and zero-group ratio averaged
    over the tasks, and the last task's group norms. ``rows``: (mode,
    alpha, tasks)."""
    lines = ['| mode | alpha | H-Mean | Acc_f | Acc_r | zero-group ratio | '
             'last task group norms |', '|---|---|---|---|---|---|---|']
    for mode, alpha, tasks in rows:
        norms = ' '.join(f'{v:.2f}' for v in
                         tasks[-1].get('group_norms', {}).values())
        lines.append(
            f'| {mode} | {alpha:g} | {fixed(task_mean(tasks, "h_mean"))} | '
            f'{fixed(task_mean(tasks, "forget"))} | '
            f'{fixed(task_mean(tasks, "retain"))} | '
            f'{fixed(task_mean(tasks, "zero_group_ratio"))} | {norms} |')
    return '\n'.join(lines) + '\n'


# The results pages ----------------------------------------------------------

def results_dir():
    """``docs/en/results`` of the checkout the package sits in."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    return osp.join(osp.dirname(package), 'docs', 'en', 'results')


def section_markers(name):
    return f'<!-- table:{name} -->', f'<!-- /table:{name} -->'


def read_section(page, name):
    """The text between a page's markers of table ``name``."""
    with open(page) as f:
        text = f.read()
    start, end = section_markers(name)
    match = re.search(re.escape(start) + r'\n(.*?)' + re.escape(end), text,
                      re.S)
    if not match:
        raise KeyError(f'{page} has no {start} ... {end} section')
    return match.group(1)


def write_section(page, name, table):
    """Replace the text between the page's markers of table ``name`` with
    ``table``; the page must already declare the section."""
    with open(page) as f:
        text = f.read()
    start, end = section_markers(name)
    pattern = re.escape(start) + r'\n.*?' + re.escape(end)
    if not re.search(pattern, text, re.S):
        raise KeyError(f'{page} has no {start} ... {end} section')
    body = table if table.endswith('\n') else table + '\n'
    text = re.sub(pattern, lambda _: f'{start}\n{body}{end}', text,
                  flags=re.S)
    with open(page + '.tmp', 'w') as f:
        f.write(text)
    os.replace(page + '.tmp', page)


def publish(target, table):
    """Write ``table`` where ``target`` ('PAGE:NAME', PAGE relative to
    docs/en/results or a path) says; None does nothing."""
    if not target:
        return
    page, _, name = target.rpartition(':')
    if not page or not name:
        raise ValueError(f'a results target is PAGE:NAME, got {target!r}')
    if not osp.isfile(page):
        page = osp.join(results_dir(), page)
    write_section(page, name, table)
