"""The depth tables on constructed check results: which checks decide,
the Residuals against Retrain's mean, the trained-against marks and the
worst decisive Residual."""
from mmforget.benchmarks.depth import (decisive_rows, task_table,
                                       worst_residual)

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
