"""Is it gone? Run the forgetting checks on a forgotten model and print the
gap card: every metric of the original (O), the forgotten model (U) and a
Retrain model (R), with |U - R| and the Residual score.

    python tools/evaluate_forgetting.py CONFIG work_dirs/run/task_3.pth \\
        [--original CKPT] [--reference work_dirs/retrain/task_3.pth]

The classes come from the checkpoint (the task it released: the classes it
forgot and those forgotten before); the images from the config's training
and test sets, through the test pipeline. The checks are the config's
``forgetting_checks`` or, without one, the cheap defaults.
"""
import argparse
import copy
import json
import os
import os.path as osp
import time
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner.checkpoint import _load_checkpoint  # noqa: E402

import mmforget  # noqa: E402,F401  (registries, safe checkpoint loading)
from mmforget.evaluation.checks import (AVG_GAP_METRICS,  # noqa: E402
                                        DEFAULT_CHECKS, avg_gap,
                                        collect_outputs, format_gap_card,
                                        gap_card, run_checks)
from mmforget.models.pretrained_loading import \
    load_plain_checkpoint  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='a task_<t>.pth of a run')
    parser.add_argument('--original', help='the model before forgetting '
                        '(default: the config\'s model.pretrained)')
    parser.add_argument('--reference', help='the Retrain model of the same '
                        'task (a task_<t>.pth of a Retrain run)')
    parser.add_argument('--per-class', type=int, default=100,
                        help='images read per class and split')
    parser.add_argument('--out', help='json of the results (default: '
                        'next to CHECKPOINT, <name>_checks.json)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def forgetting_task(path):
    """The forgotten (this task's and earlier) and kept classes of a
    released task checkpoint."""
    meta = _load_checkpoint(path, map_location='cpu').get('meta') or {}
    task = meta.get('forgetting_task')
    if not task:
        raise ValueError(
            f'{path} holds no meta.forgetting_task: pass a task_<t>.pth '
            'written by a forgetting run (tools/train.py)')
    return sorted(task['forget'] + task.get('old', [])), task['retain']


def build_model(cfg, checkpoint):
    """The config's model without LoRA (task checkpoints hold merged
    weights), loaded strictly from ``checkpoint``."""
    from mmpretrain.registry import MODELS
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.update(lora=None, pretrained=None)
    if cfg.get('data_preprocessor'):  # as mmengine's Runner does
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    load_plain_checkpoint(model, checkpoint)
    return model


def build_datasets(cfg):
    """The training and test sets of the config, both through the test
    pipeline."""
    from mmpretrain.registry import DATASETS
    train = copy.deepcopy(cfg.train_dataloader.dataset)
    if 'ForgetRetainDataset' in str(train.get('type')):
        train = train.dataset
    test = copy.deepcopy(cfg.test_dataloader.dataset)
    train['pipeline'] = copy.deepcopy(test['pipeline'])
    return DATASETS.build(train), DATASETS.build(test)


def evaluate(cfg, checkpoint, original=None, reference=None, per_class=100):
    """{'O'|'U'|'R': results}, plus each model's check seconds."""
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    forgotten, retained = forgetting_task(checkpoint)
    train_set, test_set = build_datasets(cfg)
    checks = cfg.get('forgetting_checks') or DEFAULT_CHECKS
    original = original or cfg.model.get('pretrained')
    results, seconds = {}, {}
    for name, path in (('O', original), ('U', checkpoint),
                       ('R', reference)):
        if not path:
            continue
        start = time.time()
        outputs = collect_outputs(build_model(cfg, path), train_set,
                                  test_set, forgotten, retained, per_class)
        results[name] = run_checks(checks, outputs)
        seconds[name] = round(time.time() - start, 2)
    return dict(forgotten=forgotten, retained=retained, results=results,
                seconds=seconds)


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    for path in (args.checkpoint, args.original, args.reference):
        if path and not osp.isfile(path):
            raise FileNotFoundError(f'checkpoint {path} does not exist')
    report = evaluate(cfg, args.checkpoint, args.original, args.reference,
                      args.per_class)
    rows = gap_card(*(report['results'].get(k) for k in 'OUR'))
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
