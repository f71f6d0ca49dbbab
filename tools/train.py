"""Train (or run a continual-forgetting job) from an mmforget config.

Same options as mmpretrain's and mmdet's ``tools/train.py``.
"""
import argparse
import glob
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
                             exit_rank_after_error,
                             finish_distributed, setup_cpu_distributed)


# What --amp turns each optimizer wrapper into.
AMP_WRAPPERS = {
    'OptimWrapper': 'AmpOptimWrapper',
    'AmpOptimWrapper': 'AmpOptimWrapper',
    'GroupSparseOptimWrapper': 'mmforget.AmpGroupSparseOptimWrapper',
    'AmpGroupSparseOptimWrapper': 'mmforget.AmpGroupSparseOptimWrapper',
}


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint, or, with no value, from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true',
        help='enable automatic mixed precision training')
    parser.add_argument(
        '--no-validate', action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the learning rate with the actual batch size')
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


def merge_args(cfg, args):
    """Merge command-line arguments into the config."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.amp:
        optim_type = cfg.optim_wrapper.get('type', 'OptimWrapper')
        name = optim_type.rsplit('.', 1)[-1]
        if name not in AMP_WRAPPERS:
            raise ValueError(
                f'--amp replaces the optimizer wrapper, but this config uses '
                f'{optim_type!r}, which has no mixed-precision variant; set '
                'its `dtype`/`loss_scale` in the config instead of passing '
                '--amp.')
        cfg.optim_wrapper.type = AMP_WRAPPERS[name]
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def check_before_writing(cfg):
    """What the Runner and the continual loop would refuse only after the
    Runner wrote its log dir and config into the work dir: checked first,
    so a refused run leaves the work dir as it was."""
    if cfg.get('load_from'):
        check_checkpoint_file(cfg.load_from)
    pretrained = cfg.get('model', {}).get('pretrained')
    if isinstance(pretrained, str):
        check_checkpoint_file(pretrained)
    train_cfg = cfg.get('train_cfg') or {}
    if str(train_cfg.get('type', '')).rsplit('.', 1)[-1] != \
            'ContinualForgettingLoop':
        return
    from mmforget.apis.forget import check_training_data
    from mmforget.registry import METHODS
    method = train_cfg.get('method', dict(type='mmforget.GSLoRA'))
    if not isinstance(method, dict):
        raise TypeError(
            'train_cfg.method must be a method config such as '
            f"dict(type='mmforget.GSLoRA'), got {method!r}")
    name = str(method.get('type', '')).split('.')[-1]
    if METHODS.get(name) is None:
        raise ValueError(
            f'train_cfg.method: {method.get("type")!r} is not a forgetting '
            f'method; choose one of {sorted(METHODS.module_dict)}, e.g. '
            "dict(type='mmforget.GSLoRA')")
    if train_cfg.get('select', 'last') not in ('last', 'best_val'):
        raise ValueError("train_cfg.select must be 'last' or 'best_val', "
                         f'got {train_cfg.select!r}')
    if not cfg.get('resume'):
        earlier = sorted(glob.glob(osp.join(cfg.work_dir, 'task_*.pth')) +
                         glob.glob(osp.join(cfg.work_dir,
                                            'forgetting_summary.json')))
        if earlier:
            raise FileExistsError(
                f'{cfg.work_dir} already holds a forgetting run '
                f'({osp.basename(earlier[0])}); pass --resume to continue '
                'it, or --work-dir to start a new one elsewhere (nothing '
                'there is overwritten)')
    check_training_data(cfg)


def main():
    args = parse_args()
    try:
        cfg = merge_args(Config.fromfile(args.config), args)
        check_before_writing(cfg)
    except INPUT_ERRORS as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    setup_cpu_distributed(cfg, args.launcher)
    runner = (Runner.from_cfg(cfg)
              if 'runner_type' not in cfg else RUNNERS.build(cfg))
    try:
        runner.train()
    except INPUT_ERRORS[:2] as error:  # a checkpoint damaged past its header
        print(f'error: {error}', file=sys.stderr)
        exit_rank_after_error(2)
        return 2
    except BaseException:
        exit_rank_after_error(1)
        raise
    del runner  # freed by finish_distributed, before the group closes
    finish_distributed()
    return 0


if __name__ == '__main__':
    sys.exit(main())
