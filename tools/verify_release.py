"""Check that a checkpoint is fit to release after forgetting.

    python tools/verify_release.py work_dirs/run/release/task_3.pth \\
        [--original checkpoints/vit-6b_numbers.pth]

Fails (exit 1) when the checkpoint holds anything that names or restores
the forgotten classes: LoRA adapters, a gate over the original weights
(O3's design: "restorable"), optimizer or message-hub state, EMA copies,
prototypes, config text or the task's class ids. With
``--original`` it also lists the blocks whose weights changed, with the
relative size and the rank of each change (who has the original can
revert a release exactly: keep the original private).
"""
import argparse
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

from mmengine.runner.checkpoint import _load_checkpoint  # noqa: E402

import mmforget  # noqa: E402,F401  (safe checkpoint loading)
from mmforget.compat import INPUT_ERRORS  # noqa: E402
from mmforget.evaluation.release_hygiene import (  # noqa: E402
    hygiene_problems, weight_changes)
from mmforget.models.pretrained_loading import \
    checkpoint_state_dict  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint')
    parser.add_argument('--original', help='the model before forgetting')
    args = parser.parse_args()
    checkpoint = _load_checkpoint(args.checkpoint, map_location='cpu')
    if not isinstance(checkpoint, dict) or 'state_dict' not in checkpoint:
        checkpoint = dict(state_dict=checkpoint)
    problems = hygiene_problems(checkpoint)
    if args.original:
        changes = weight_changes(checkpoint['state_dict'],
                                 checkpoint_state_dict(args.original))
        blocks = {}
        for row in changes:
            blocks.setdefault(row['block'], []).append(row)
        print(f'{len(changes)} tensors changed in {len(blocks)} blocks')
        print('| block | tensors | max relative change | ranks |')
        print('|---|---|---|---|')
        for block, rows in blocks.items():
            ranks = sorted({r['rank'] for r in rows if r['rank'] is not None})
            print(f'| {block} | {len(rows)} | '
                  f'{max(r["relative_change"] for r in rows):.4f} | '
                  f'{", ".join(map(str, ranks)) or "–"} |')
    if problems:
        print(f'NOT fit to release: {args.checkpoint}')
        for problem in problems:
            print(f'  - {problem}')
        if any(p.startswith('restorable:') for p in problems):
            print('No file of this run is fit to release: its method keeps '
                  'the original weights by design; use a method that '
                  'changes them (docs/en/results).')
        else:
            print('Release the file the forgetting run writes to '
                  '<work_dir>/release/task_<t>.pth.')
        sys.exit(1)
    print(f'fit to release: {args.checkpoint}')


if __name__ == '__main__':
    try:
        main()
    except INPUT_ERRORS as error:  # bad input: one line, no traceback
        sys.exit(f'error: {error}')
