"""Strip a training checkpoint down to its weights for release.

mmengine checkpoints also hold the optimizer state and logs. A published
model keeps only ``state_dict`` and a small ``meta`` (no optimizer, no
message hub), so it loads with ``torch.load(weights_only=True)``.
"""
import argparse
import sys
import os
import os.path as osp
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

import torch  # noqa: E402
from mmengine.runner.checkpoint import _load_checkpoint  # noqa: E402

import mmforget  # noqa: E402,F401  (safe checkpoint loading)
from mmforget.compat import INPUT_ERRORS  # noqa: E402


def resolve(path):
    """A checkpoint file, or the latest one of an mmengine work dir."""
    if osp.isdir(path):
        marker = osp.join(path, 'last_checkpoint')
        if not osp.isfile(marker):
            raise FileNotFoundError(f'{path} has no last_checkpoint file')
        with open(marker) as f:
            return f.read().strip()
    return path


def publish(src, dst):
    checkpoint = _load_checkpoint(resolve(src), map_location='cpu')
    meta = checkpoint.get('meta', {})
    released = dict(
        state_dict=checkpoint.get('state_dict', checkpoint),
        meta={k: meta[k] for k in ('dataset_meta', 'mmengine_version',
                                   'forgetting_task') if k in meta})
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    torch.save(released, dst + '.tmp')
    os.replace(dst + '.tmp', dst)
    return dst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='checkpoint file or mmengine work dir')
    parser.add_argument('dst', help='output .pth')
    args = parser.parse_args()
    print(f'published {publish(args.src, args.dst)}')


if __name__ == '__main__':
    try:
        main()
    except INPUT_ERRORS as error:  # bad input: one line, no traceback
        sys.exit(f'error: {error}')
