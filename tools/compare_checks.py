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
Residuals as a methods x metrics heat map. ``--results PAGE:NAME`` also
writes the compact table into a section of a results page, ``--image``
copies the heat map.
"""
import argparse
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

import mmforget  # noqa: E402,F401
from mmforget.benchmarks.gap_cards import compare_checks  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--plan', required=True)
    parser.add_argument('--out-dir', required=True,
                        help='the out dir of tools/compare_methods.py --plan')
    parser.add_argument('--task', type=int, default=-1,
                        help='which task checkpoint (default: the last '
                        'one any run reached)')
    parser.add_argument('--per-class', type=int, default=100)
    parser.add_argument('--results', metavar='PAGE:NAME',
                        help='also write the compact table into this '
                        'results page section')
    parser.add_argument('--image', help='copy the heat map here')
    args = parser.parse_args()
    print(compare_checks(args.plan, args.out_dir, args.task, args.per_class,
                         args.results, args.image))


if __name__ == '__main__':
    main()
