"""Make a trained model forget classes, in one command.

    python tools/forget.py MODEL_CONFIG CHECKPOINT --forget cat dog \\
        [--then bird] [--then fish] [--method gs-lora] [--data DATA_CONFIG]

MODEL_CONFIG is the plain config the model was trained with (an mmpretrain
classifier or an mmdet DETR-family detector, with its dataloaders, or give
them with --data); classes are named by name or id. The generated
continual-forgetting config is written to the work dir first, so
``tools/train.py <work_dir>/forget_config.py`` reproduces the run; the
release of the last task is checked for anything that restores what was
forgotten, and its path is printed.
"""
import argparse
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from mmengine.config import DictAction  # noqa: E402

from mmforget.apis import forget  # noqa: E402
from mmforget.apis.forget import METHODS  # noqa: E402
from mmforget.compat import INPUT_ERRORS  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Make a trained model forget classes')
    parser.add_argument('config', help='the model config (with its data)')
    parser.add_argument('checkpoint', help='the trained model')
    parser.add_argument('--forget', nargs='+', required=True,
                        help='classes of the first task, by name or id')
    parser.add_argument('--then', nargs='+', action='append', default=[],
                        help='classes of a following task (repeatable)')
    parser.add_argument('--method', default='gs-lora', choices=sorted(METHODS))
    parser.add_argument('--data', help='a config whose dataloaders and '
                        'evaluators replace the model config\'s')
    parser.add_argument('--work-dir', help='where the run writes')
    parser.add_argument('--epochs', type=int, default=30,
                        help='epochs per task (30)')
    parser.add_argument('--batch-size', type=int, default=32,
                        help='retain + forget samples per batch (32)')
    parser.add_argument('--lr', type=float, help='learning rate (default '
                        '1e-2 for classifiers, 1e-3 for detectors)')
    parser.add_argument('--rank', type=int, default=8, help='LoRA rank (8)')
    parser.add_argument('--bound', type=float, help='the forget loss bound '
                        '(default 12 for classifiers, 15 for detectors)')
    parser.add_argument('--beta', type=float, default=0.2,
                        help='the forget loss weight (0.2)')
    parser.add_argument('--data-ratio', type=float, default=1.0,
                        help='share of the training data used per task')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the generated config, e.g. key=value')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    settings = dict(epochs=args.epochs, batch_size=args.batch_size,
                    lr=args.lr, rank=args.rank, bound=args.bound,
                    beta=args.beta, data_ratio=args.data_ratio)
    try:
        result = forget(args.config, args.checkpoint, forget=args.forget,
                        then=args.then, method=args.method,
                        data_config=args.data, work_dir=args.work_dir,
                        cfg_options=args.cfg_options, **settings)
    except INPUT_ERRORS as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'forgetting config: {result.config}')
    for index, task in enumerate(result.summary['tasks']):
        print(f'task {index}: forgot {task["forget_classes"]}: '
              f'forget {task["forget"]:.1f}, retain {task["retain"]:.1f}')
    print(f'clean checkpoint (fit to release): {result.release}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
