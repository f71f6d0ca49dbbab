"""Evaluate a checkpoint with an mmforget config.

For a continual-forgetting config, ``checkpoint`` is a ``task_<t>.pth`` and
the task's forget / retain / old splits are scored as in the summary.
"""
import argparse
import os
import os.path as osp
import sys
import warnings

# setuptools < 81 (pinned for mmengine) warns on every pkg_resources import.
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmforget.compat import (INPUT_ERRORS, check_checkpoint_file,
                             finish_distributed, setup_cpu_distributed)


def parse_args():
    parser = argparse.ArgumentParser(description='Test a checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs')
    parser.add_argument(
        '--out', help='dump the metrics to this json/yaml/pkl file')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, e.g. key=value a.b=[1,2]')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if not osp.isfile(args.checkpoint):
        sys.exit(f'error: checkpoint {args.checkpoint} does not exist; pass '
                 'the path of a .pth written by tools/train.py')
    try:
        check_checkpoint_file(args.checkpoint)  # before the Runner writes
    except INPUT_ERRORS as error:
        sys.exit(f'error: {error}')
    cfg.load_from = args.checkpoint
    setup_cpu_distributed(cfg, args.launcher)
    runner = (Runner.from_cfg(cfg)
              if 'runner_type' not in cfg else RUNNERS.build(cfg))
    try:
        metrics = runner.test()
    except INPUT_ERRORS[:2] as error:  # a checkpoint damaged past its header
        sys.exit(f'error: {error}')
    del runner  # freed by finish_distributed, before the group closes
    finish_distributed()
    if args.out:
        import mmengine
        mmengine.dump(metrics, args.out)
    return metrics


if __name__ == '__main__':
    main()
