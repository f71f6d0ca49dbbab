"""Write the per-task table of a finished run into a results page.

    python tools/results_table.py WORK_DIR --results digits.md:demo

Reads the run's ``forgetting_summary.json`` and writes the table (the
classes forgotten per task, Acc_f / Acc_r / Acc_o before and after, H-Mean,
training seconds; the Forgotten-Object Fate for detectors) between the
``<!-- table:NAME -->`` markers of docs/en/results/PAGE; prints it too.
"""
import argparse

from mmforget.benchmarks.runs import load_summary
from mmforget.benchmarks.tables import publish, run_table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir', help='a finished run')
    parser.add_argument('--results', metavar='PAGE:NAME',
                        help='the results page section to write')
    args = parser.parse_args()
    summary = load_summary(args.work_dir)
    if summary is None:
        raise SystemExit(f'{args.work_dir} has no forgetting_summary.json')
    table = run_table(summary)
    print(table)
    publish(args.results, table)


if __name__ == '__main__':
    main()
