"""Gone or hidden, decided: the depth checks of a comparison at every task.

    python tools/compare_depth.py --plan configs/comparisons/X_depth.py \\
        --out-dir work_dirs/X_depth [--tasks 0 1 2 3] [--per-class 100] \\
        [--jobs 2]

It reads the runs ``tools/compare_methods.py --plan`` wrote (same out dir),
checks each run's ``task_<t>.pth`` with the plan's ``checks`` once (kept as
``depth_task_<t>.json`` beside it), and writes ``depth.md``: per task, every
attack with the original (O), Retrain over its seeds (R) and whether the
attack separates them beyond Retrain's 2-std band; each method's value, its
Residual |U - R| / |O - R| where the attack decides, and a mark where the
method trains against it; then TA, Acc_f, minutes and the worst decisive
Residual. ``depth.png`` plots TA against that worst Residual (the Pareto
plot). ``--results PAGE:NAME`` also writes the tables into a section of a
results page, ``--image`` copies the plot, ``--summary PAGE:NAME`` writes
one row per method (TA and worst decisive Residual per task).
"""
import argparse
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

import mmforget  # noqa: E402,F401
from mmforget.benchmarks.depth import compare_depth  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--plan', required=True)
    parser.add_argument('--out-dir', required=True,
                        help='the out dir of tools/compare_methods.py --plan')
    parser.add_argument('--tasks', type=int, nargs='+', default=[0, 1, 2, 3])
    parser.add_argument('--per-class', type=int, default=100)
    parser.add_argument('--results', metavar='PAGE:NAME',
                        help='also write the tables into this results page '
                        'section')
    parser.add_argument('--image', help='copy the Pareto plot here')
    parser.add_argument('--jobs', type=int, default=1,
                        help='models checked at a time (one core each)')
    parser.add_argument('--summary', metavar='PAGE:NAME',
                        help='write the one-row-per-method table (TA and '
                        'worst decisive Residual per task) into this '
                        'section, e.g. README.md:which-method')
    args = parser.parse_args()
    print(compare_depth(args.plan, args.out_dir, args.tasks, args.per_class,
                        args.results, args.image, args.summary,
                        args.jobs))


if __name__ == '__main__':
    main()
