"""Comparison plans: which methods run in which settings, with which seeds.

A plan (``configs/comparisons/*.py``) is plain data:

* ``reference``: the method the others are measured against (Retrain);
* ``tune``: ``seed`` and extra ``options`` of the tuning runs;
* ``settings``: ``name``, a config ``suffix`` and ``seeds`` each;
* ``methods``: ``name`` and a ``config`` path with ``{setting}``, and either
  a ``grid`` ({option: values}, tuned on the validation split), or
  ``pick_of`` another method plus fixed ``options`` (e.g. a shorter
  schedule), or nothing (not tuned; fixed ``options`` make a named variant
  of a config, e.g. an ablation); ``settings`` limits where it runs;
  with a grid, ``pick_most=dict(option, keep_within, of)`` picks the
  largest value of ``option`` whose validation Acc_r is within
  ``keep_within`` points of method ``of``'s (the removal knob turned as far
  as the kept accuracy allows) instead of the best validation H-Mean;
* ``options`` (optional): ``--cfg-options`` of every run;
* ``checks`` (optional): the depth checks (``tools/compare_depth.py``;
  the evaluator's defaults without it), and ``checks_name`` when they
  differ from those another plan runs on the same runs: their results are
  kept apart under that name;
* ``block_norms`` (optional): also tabulate each block's adapter norm
  at the end of every task (which blocks a method changes);
* ``rows`` (optional): the names of the methods to run, in the methods'
  order (a plan that inherits another and runs part of its rows); a name
  no method has is refused, so a renamed row cannot drop out silently.

A job is ``(config, seed, out_dir, options dict)``, as
``runs.Runner.map`` takes it.
"""
import itertools
import os.path as osp
import re


class PlanError(ValueError):
    """A plan that cannot be run as written."""


def slug(text):
    """A setting's name as a directory name ('full data' -> 'full-data')."""
    return re.sub(r'[^A-Za-z0-9.=+-]+', '-', text).strip('-')


def parse_options(items):
    """``key=value`` strings -> {key: value} (values stay strings)."""
    return dict(item.split('=', 1) for item in items)


def select_rows(plan, source='the plan'):
    """Keep the methods ``rows`` names (all without it)."""
    rows = plan.get('rows')
    if rows is None:
        return plan
    names = [m['name'] for m in plan['methods']]
    unknown = sorted(set(rows) - set(names))
    if unknown:
        raise PlanError(f'{source}: rows names {unknown}, which no method of '
                        f'the plan is called ({names}); rename it in rows')
    plan['methods'] = [m for m in plan['methods'] if m['name'] in rows]
    return plan


def validate_plan(plan, source='the plan'):
    """Refuse a plan whose rows, reference, settings or picks name
    nothing."""
    select_rows(plan, source)
    names = [m['name'] for m in plan['methods']]
    if plan['reference'] not in names:
        raise PlanError(f'{source}: the reference {plan["reference"]!r} is '
                        f'not one of the methods {names}')
    settings = [s['name'] for s in plan['settings']]
    for method in plan['methods']:
        unknown = set(method.get('settings', [])) - set(settings)
        if unknown:
            raise PlanError(f'{source}: {method["name"]} runs in unknown '
                            f'settings {sorted(unknown)}')
        if 'pick_of' in method and method['pick_of'] not in names:
            raise PlanError(f'{source}: {method["name"]} takes the pick of '
                            f'{method["pick_of"]!r}, not a method')
        rule = method.get('pick_most')
        if rule and (rule['of'] not in names
                     or rule['option'] not in method.get('grid', {})):
            raise PlanError(f'{source}: {method["name"]}\'s pick_most needs '
                            'a grid over its option and a method to keep '
                            f'within, got {dict(rule)}')
    return plan


def load_plan(path):
    """The plan of a ``configs/comparisons/*.py`` file, validated."""
    from mmengine.config import Config
    return validate_plan(Config.fromfile(path), path)


def is_tuned(method):
    """Whether the method's options come from tuning (its own or another
    method's)."""
    return bool(method.get('grid')) or 'pick_of' in method


def tuning_jobs(plan, out_dir):
    """Every grid point of every method with a grid, on the first setting
    with the tuning seed: [((method name, point options), job)]. A method
    that a ``pick_most`` keeps within runs once there too, as it is."""
    full = plan['settings'][0]
    extra = parse_options(list(plan.get('options', [])) +
                          list(plan['tune']['options']))
    within = {m['pick_most']['of'] for m in plan['methods']
              if m.get('pick_most')}
    points = []
    for method in plan['methods']:
        grid = method.get('grid') or (
            {} if method['name'] in within else None)
        if grid is None:
            continue
        names = list(grid)
        for values in itertools.product(*[grid[n] for n in names]):
            options = dict(zip(names, values))
            job = (method['config'].format(setting=full['suffix']),
                   plan['tune']['seed'], osp.join(out_dir, 'tune'),
                   dict(extra, **options))
            points.append(((method['name'], options), job))
    return points


def plan_runs(plan, out_dir, picks):
    """Every run of the plan: (setting name, method name, job). The first
    seed of every setting comes first, then the second...: a comparison cut
    short has every method in every setting. Methods whose tuning failed
    (no pick) are left out."""
    runs = []
    rounds = max(len(setting['seeds']) for setting in plan['settings'])
    for setting, seed in [(setting, setting['seeds'][i])
                          for i in range(rounds)
                          for setting in plan['settings']
                          if i < len(setting['seeds'])]:
        for method in plan['methods']:
            if setting['name'] not in method.get(
                    'settings', [s['name'] for s in plan['settings']]):
                continue
            tuned_as = method.get('pick_of', method['name'])
            if is_tuned(method) and tuned_as not in picks:
                continue
            config = method['config'].format(setting=setting['suffix'])
            options = parse_options(plan.get('options', []))
            options.update(picks.get(tuned_as, {}))
            options.update(parse_options(method.get('options', [])))
            runs.append((setting['name'], method['name'],
                         (config, seed,
                          osp.join(out_dir, slug(setting['name'])),
                          options)))
    return runs


def reference_setting(plan, results, setting):
    """The setting whose reference (Retrain) runs serve ``setting``: itself
    or, where the reference does not run in it (Retrain never reads forget
    data, so it is the same for full data and few-shot), the first setting
    of the plan that has them; None if none has. ``results``: {setting:
    {method: runs}}, whatever a run is (a summary, a gap card)."""
    for name in [setting] + [s['name'] for s in plan['settings']]:
        if results.get(name, {}).get(plan['reference']):
            return name
    return None
