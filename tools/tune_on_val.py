"""Grid-search a forgetting config on the validation split, never on test.

Every combination of the ``--grid`` values runs with each seed (a finished
run is reused, so a search can be stopped and continued). Combinations are
ranked by the validation H-Mean, averaged over tasks and seeds; the
validation Acc_f, Acc_r and Acc_o come from the ``val`` entry that the
continual loop writes for each task. With ``--max-forget`` / ``--max-old``,
combinations whose mean validation Acc_f / Acc_o exceed the limit rank
after all those that meet it. The same grid size for every method gives
every method the same budget. ``--results PAGE:NAME`` also writes the
ranking into a section of a results page (docs/en/results/PAGE).

Example:
    python tools/tune_on_val.py \\
        configs/gs_lora/gs-lora_vit-6b_numbers_continual.py \\
        --grid "train_cfg.method.forget_loss.bound=12|20|30" \\
               "train_cfg.method.forget_loss.loss_weight=0.2|0.5" \\
        --out-dir work_dirs/tune_gs-lora_numbers
"""
import argparse

from mmforget.benchmarks.tables import publish, tuning_table
from mmforget.benchmarks.tuning import parse_grid, tune_config


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--grid', nargs='+', required=True,
                        help='key=v1|v2|... (mmengine --cfg-options keys)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--out-dir', default='work_dirs/tune_on_val')
    parser.add_argument('--max-forget', type=float,
                        help='rank combinations with a larger val Acc_f last')
    parser.add_argument('--max-old', type=float,
                        help='rank combinations with a larger val Acc_o last')
    parser.add_argument('--results', metavar='PAGE:NAME',
                        help='also write the ranking into this results page '
                        'section')
    args = parser.parse_args()
    try:
        grid = parse_grid(args.grid)
        results, meets_limits = tune_config(
            args.config, grid, args.seeds, args.out_dir, args.max_forget,
            args.max_old)
    except ValueError as error:
        raise SystemExit(str(error))
    table = tuning_table(results, [k for k, _ in grid])
    print(table)
    publish(args.results, table)
    print(f'best on val: {results[0]["options"]}' +
          ('' if meets_limits else ' (no combination meets the Acc_f / '
           'Acc_o limits)'))


if __name__ == '__main__':
    main()
