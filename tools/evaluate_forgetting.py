"""Is it gone? Run the forgetting checks on a forgotten model and print the
gap card: every metric of the original (O), the forgotten model (U) and a
Retrain model (R), with |U - R| and the Residual score.

    python tools/evaluate_forgetting.py CONFIG work_dirs/run/task_3.pth \\
        [--original CKPT] [--reference work_dirs/retrain/task_3.pth]

The classes come from the checkpoint (the task it released: the classes it
forgot and those forgotten before); the images from the config's training
and test sets, through the test pipeline; a DETR-family detector's samples
are its objects (the queries matched to its boxes). The checks are the
config's ``train_cfg.evaluation.checks`` or, without them, the cheap
defaults (those that read objects, for a detector).
"""
import argparse
import json
import os
import os.path as osp
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

import mmforget  # noqa: E402,F401  (registries, safe checkpoint loading)
from mmforget.evaluation.checks import (AVG_GAP_METRICS,  # noqa: E402
                                        ForgettingEvaluator, avg_gap,
                                        format_gap_card, forgetting_task,
                                        gap_card)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='a task_<t>.pth of a run')
    parser.add_argument('--original', help='the model before forgetting '
                        '(default: the config\'s model.pretrained)')
    parser.add_argument('--reference', help='the Retrain model of the same '
                        'task (a task_<t>.pth of a Retrain run)')
    parser.add_argument('--per-class', type=int, default=100,
                        help='images (a detector: objects) read per '
                        'class and split')
    parser.add_argument('--out', help='json of the results (default: '
                        'next to CHECKPOINT, <name>_checks.json)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    for path in (args.checkpoint, args.original, args.reference):
        if path and not osp.isfile(path):
            raise FileNotFoundError(f'checkpoint {path} does not exist')
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    forgotten, retained = forgetting_task(args.checkpoint)
    configured = cfg.get('train_cfg', {}).get('evaluation') or {}
    evaluator = ForgettingEvaluator(configured.get('checks'),
                                    args.per_class)
    results = evaluator.evaluate(
        cfg, forgotten, retained, args.checkpoint,
        original=args.original or cfg.model.get('pretrained'),
        reference=args.reference)
    report = dict(forgotten=forgotten, retained=retained,
                  seconds=results.pop('seconds'), results=results)
    rows = gap_card(*(results.get(k) for k in 'OUR'))
    report['gap_card'] = rows
    report['avg_gap'] = avg_gap(rows, AVG_GAP_METRICS)
    print(f'forgotten classes {report["forgotten"]}, '
          f'{len(report["retained"])} kept; seconds per model '
          f'{report["seconds"]}')
    print(format_gap_card(rows))
    if report['avg_gap'] is not None:
        print(f'Avg.Gap ({", ".join(AVG_GAP_METRICS)}): '
              f'{report["avg_gap"]:.2f}')
    out = args.out or osp.splitext(args.checkpoint)[0] + '_checks.json'
    with open(out + '.tmp', 'w') as f:
        json.dump(report, f, indent=1)
    os.replace(out + '.tmp', out)
    print(f'written to {out}')


if __name__ == '__main__':
    main()
