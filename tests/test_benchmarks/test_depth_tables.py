"""The depth tables on constructed check results: which checks decide,
the Residuals against Retrain's mean, the trained-against marks and the
worst decisive Residual."""
from mmforget.benchmarks.depth import (decisive_rows, task_table,
                                       which_method_table, worst_residual)

PLAN = dict(reference='R', methods=[dict(name='R'), dict(name='Head reset'),
                                    dict(name='Deep')])


def entry():
    """Task results: the probe tells O (88) from R (70, 74: mean 72, band
    5.66); the k-NN probe does not (O 73); Deep trains against k-NN."""
    def seeds(*values):
        return {s: dict(probe_acc_f=p, knn_acc_f=k, ta=ta, minutes=m)
                for s, (p, k, ta, m) in enumerate(values)}
    return {
        'O': dict(probe_acc_f=88.0, knn_acc_f=73.0, ta=90.0),
        'R': dict(seeds=seeds((70.0, 70.0, 97.0, 3.0),
                              (74.0, 72.0, 97.0, 3.2)),
                  trains_against=[]),
        'Head reset': dict(seeds=seeds((88.0, 73.0, 96.7, 0.0)),
                           trains_against=[]),
        'Deep': dict(seeds=seeds((76.0, 40.0, 95.0, 1.0),
                                 (72.0, 44.0, 95.0, 1.0)),
                     trains_against=['knn_']),
    }


def test_only_the_checks_that_separate_o_from_r_carry_residuals():
    rows = {r['metric']: r for r in decisive_rows(PLAN, entry())}
    assert rows['probe_acc_f']['decides'] is True
    assert rows['knn_acc_f']['decides'] is False
    probe = rows['probe_acc_f']['methods']
    assert probe['Head reset']['residual'] == 1.0          # |88-72|/16
    assert probe['Deep']['residual'] == (4 / 16 + 0 / 16) / 2
    assert rows['knn_acc_f']['methods']['Deep']['residual'] is None
    assert rows['knn_acc_f']['methods']['Deep']['trained_against']
    assert not probe['Deep']['trained_against']
    assert worst_residual(list(rows.values()), 'Deep') == 0.125
    assert worst_residual(list(rows.values()), 'Head reset') == 1.0


def test_the_task_table_marks_decisions_residuals_and_training():
    text = task_table(PLAN, 3, entry())
    lines = text.splitlines()
    assert lines[0] == '### Task 3'
    assert lines[2] == ('| check | O | R (2 seeds) | decides | R | '
                        'Head reset | Deep |')
    probe = next(line for line in lines if line.startswith('| probe_acc_f'))
    # Retrain's own seeds sit 2 points from their mean: Residual 0.12,
    # the noise level of that check.
    assert probe == ('| probe_acc_f | 88.0 | 72.0±2.8 | yes | 72.0±2.8 '
                     '(0.12) | 88.0 (1.00) | 74.0±2.8 (0.12) |')
    knn = next(line for line in lines if line.startswith('| knn_acc_f'))
    assert knn.endswith('| no | 71.0±1.4 | 73.0 | 42.0±2.8 † |')
    assert lines[-1] == ('| **worst decisive Residual** |  |  |  | 0.12 | '
                         '1.00 | 0.12 |')


def test_a_plan_minimum_gap_takes_decisions_away():
    # O 88 against R 72 (band 5.66): decides up to a 16-point minimum gap.
    plan = dict(PLAN, min_gap=16.0)
    rows = {r['metric']: r for r in decisive_rows(plan, entry())}
    assert rows['probe_acc_f']['decides'] is False
    assert rows['probe_acc_f']['methods']['Deep']['residual'] is None
    plan['min_gap'] = 15.9
    rows = {r['metric']: r for r in decisive_rows(plan, entry())}
    assert rows['probe_acc_f']['decides'] is True


def test_the_which_method_table_has_one_row_per_method_and_task():
    later = entry()
    later['Deep']['seeds'][0]['acc_f_test'] = 4.0
    text = which_method_table(PLAN, {0: entry(), 3: later})
    lines = text.splitlines()
    assert lines[0] == ('| method | seeds | task 0: TA / worst Residual | '
                        'task 3: TA / worst Residual | Acc_f (worst task) '
                        '| training min / task |')
    # TA mean over seeds / worst decisive Residual (the k-NN check, which
    # Deep trains against, is left out) / Acc_f / minutes.
    assert lines[2] == ('| R | 2 | 97.0 / 0.12 (probe_acc_f) | '
                        '97.0 / 0.12 (probe_acc_f) | – | 3.1 |')
    assert lines[3] == ('| Head reset | 1 | 96.7 / 1.00 (probe_acc_f) | '
                        '96.7 / 1.00 (probe_acc_f) | – | 0.0 |')
    assert lines[4] == ('| Deep | 2 | 95.0 / 0.12 (probe_acc_f) | '
                        '95.0 / 0.12 (probe_acc_f) | 4.0 | 1.0 |')


def option_exists(cfg, key):
    """A --cfg-options key a run would not silently add: a config value,
    or an argument of the method (``train_cfg.method.<arg>``)."""
    import inspect

    from mmforget.registry import METHODS
    prefix = 'train_cfg.method.'
    if key.startswith(prefix) and '.' not in key[len(prefix):]:
        method = METHODS.get(cfg.train_cfg.method.type)
        arguments = set()
        for cls in method.__mro__:
            if '__init__' in vars(cls):
                arguments |= set(inspect.signature(cls.__init__).parameters)
        return key[len(prefix):] in arguments
    node = cfg
    for part in key.split('.'):
        if not (hasattr(node, 'keys') and part in node):
            return False
        node = node[part]
    return True


def test_every_comparison_plan_names_configs_that_build():
    """Each plan's configs exist in every setting they run in, their grid
    keys exist in the config, and a plan's checks build."""
    import glob
    import os.path as osp

    from mmengine.config import Config

    from mmforget.benchmarks.plans import load_plan
    from mmforget.registry import FORGETTING_CHECKS
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    plans = sorted(glob.glob(osp.join(root, 'configs', 'comparisons',
                                      '*.py')))
    assert any(p.endswith('vit-6b_numbers_depth.py') for p in plans)
    for path in plans:
        plan = load_plan(path)
        for setting in plan.settings:
            for method in plan.methods:
                if setting['name'] not in method.get(
                        'settings', [setting['name']]):
                    continue
                config = osp.join(root, method['config'].format(
                    setting=setting['suffix']))
                assert osp.isfile(config), (path, method['name'])
                cfg = Config.fromfile(config)
                for key in method.get('grid', {}):
                    assert option_exists(cfg, key), (path, method['name'],
                                                     key)
        for check in plan.get('checks', []):
            assert FORGETTING_CHECKS.build(check)


def test_a_named_set_of_checks_keeps_its_results_apart():
    """Two plans on the same runs with different checks must not read each
    other's results: a plan's checks_name is in its result files' names."""
    from mmforget.benchmarks.depth import kept_as
    assert kept_as(dict(), 'depth_task_2') == 'depth_task_2'
    assert kept_as(dict(checks_name='turned'),
                   'depth_task_2') == 'depth_task_2.turned'


def test_a_control_is_shown_but_never_decides_or_counts_in_the_worst():
    """The turned relearning control separates O from R here (O 50, R 30 and
    32) and Deep reads far from R (60), yet it is no attack: no Residual,
    'control' in the table, the worst Residual unchanged (0.125)."""
    results = entry()
    results['O']['relearn_full_turned_acc_f_300'] = 50.0
    for seed, value in ((0, 30.0), (1, 32.0)):
        results['R']['seeds'][seed]['relearn_full_turned_acc_f_300'] = value
    for seed in (0, 1):
        results['Deep']['seeds'][seed]['relearn_full_turned_acc_f_300'] = 60.0
    rows = {r['metric']: r for r in decisive_rows(PLAN, results)}
    control = rows['relearn_full_turned_acc_f_300']
    assert control['control'] and control['decides'] is False
    assert control['methods']['Deep']['residual'] is None
    assert worst_residual(list(rows.values()), 'Deep') == 0.125
    line = next(line for line in task_table(PLAN, 2, results).splitlines()
                if line.startswith('| relearn_full_turned_acc_f_300'))
    assert line.startswith('| relearn_full_turned_acc_f_300 | 50.0 | '
                           '31.0±1.4 | control |')


def test_a_gates_openings_are_shown_for_the_gated_method_alone():
    """GateOpening's metrics (directions higher / lower, controls) reach
    the table where only one method reports them; O and R read '–'."""
    import mmforget.evaluation.checks.gate  # noqa: F401  (its specs)
    results = entry()
    for seed in (0, 1):
        results['Deep']['seeds'][seed]['gate_retain_test'] = 40.0 + seed
    rows = {r['metric']: r for r in decisive_rows(PLAN, results)}
    assert rows['gate_retain_test']['decides'] is False
    assert worst_residual(list(rows.values()), 'Deep') == 0.125
    line = next(line for line in task_table(PLAN, 2, results).splitlines()
                if line.startswith('| gate_retain_test'))
    assert line.startswith('| gate_retain_test | – | – | control |')
    assert '40.5±0.7' in line
