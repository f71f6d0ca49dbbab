"""Run forgetting configs over several seeds and tabulate them per task.

Each (config, seed) run gets its own work dir; a finished run is reused, so
an interrupted comparison continues where it stopped. The seed sets both
the training randomness and the draw of the training subset.

Two modes. A list of configs: each runs with every seed, and the scores are
tabulated. A plan (``--plan``, e.g. configs/comparisons/*.py): every method
is first tuned on the validation split with its grid (same budget for all),
its pick then runs in every setting and seed, and the comparison is written
as a markdown table in the papers' layout (H-Mean / Acc_r / Acc_f / Acc_o
per task, mean +- std over seeds) with the trainable-parameter share, the
time per task and its ratio to the reference (Retrain), plus a plot.
``--results PAGE:NAME`` also writes the table into a section of a results
page (docs/en/results/PAGE), ``--image`` copies the plot.

Examples:
    python tools/compare_methods.py --seeds 0 1 2 --out-dir work_dirs/cmp \\
        configs/gs_lora/gs-lora_vit-tiny_digits_continual-4shot.py \\
        configs/gs_lora_plus/gs-lora-plus_vit-tiny_digits_continual-4shot.py
    python tools/compare_methods.py --jobs 2 \\
        --plan configs/comparisons/vit-6b_numbers_continual.py \\
        --out-dir work_dirs/compare_numbers
"""
import argparse

from mmforget.benchmarks.comparison import run_configs, run_plan
from mmforget.benchmarks.tables import (SCORE_KEYS, publish,
                                        seed_means_table, seed_score_table)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='*')
    parser.add_argument('--plan', help='a comparison plan (see --help)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--out-dir', default='work_dirs/compare_methods')
    parser.add_argument('--split', choices=('test', 'val'), default='test',
                        help='the scores to tabulate (tune on val only)')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs at a time (each with cores/jobs threads)')
    parser.add_argument('--table-only', action='store_true',
                        help='with --plan: tabulate the finished runs only')
    parser.add_argument('--results', metavar='PAGE:NAME',
                        help='also write the table into this results page '
                        'section (configs: the table of --results-table)')
    parser.add_argument('--results-table', choices=('scores', 'means'),
                        default='scores',
                        help='configs: which table --results writes')
    parser.add_argument('--keys', nargs='+', choices=SCORE_KEYS,
                        default=list(SCORE_KEYS),
                        help='configs: the scores of the per-score table')
    parser.add_argument('--image', help='with --plan: copy the plot here')
    args = parser.parse_args()
    if args.plan:
        print(run_plan(args.plan, args.out_dir, args.jobs,
                       run_missing=not args.table_only,
                       results=args.results, image=args.image))
        return
    if not args.configs:
        parser.error('give configs or --plan')
    all_runs = run_configs(args.configs, args.seeds, args.out_dir)
    scores = seed_score_table(all_runs, args.split, args.keys)
    means = seed_means_table(all_runs, args.split)
    print(scores)
    print(f'Means over seeds {args.seeds} ({args.split} split), the '
          'papers\' layout (H-Mean / Acc_r / Acc_f / Acc_o):\n')
    print(means)
    publish(args.results, scores if args.results_table == 'scores'
            else means)


if __name__ == '__main__':
    main()
