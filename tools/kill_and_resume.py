"""Kill a forgetting run in the middle of a task, resume it, and compare
its summary with an uninterrupted run of the same config and seed.

Each task is seeded from the run seed and the task index, so the resumed run
should write exactly the summary of the uninterrupted one (train_seconds
aside). Prints the per-task scores of both and whether they are equal.

Example:
    python tools/kill_and_resume.py \\
        configs/gs_lora/gs-lora_vit-tiny_digits_continual.py \\
        --out-dir work_dirs/kill_and_resume --kill-after 8
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
import time


def train(config, work_dir, options, resume=False):
    args = [sys.executable, 'tools/train.py', config, '--work-dir', work_dir]
    args += ['--resume'] if resume else []
    args += ['--cfg-options', *options] if options else []
    return subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--out-dir', default='work_dirs/kill_and_resume')
    parser.add_argument('--kill-after', type=float, default=8,
                        help='seconds into the second task')
    parser.add_argument('--cfg-options', nargs='*', default=[])
    args = parser.parse_args()
    whole, killed = (osp.join(args.out_dir, n) for n in ('whole', 'killed'))
    if osp.exists(args.out_dir):
        raise SystemExit(f'{args.out_dir} exists (an earlier check?): remove '
                         'it or give another --out-dir')
    if train(args.config, whole, args.cfg_options).wait():
        raise SystemExit(f'the uninterrupted run failed: see {whole}')
    process = train(args.config, killed, args.cfg_options)
    while not osp.isfile(osp.join(killed, 'task_0.pth')):
        if process.poll() is not None:
            raise SystemExit(f'the run ended before task 1: see {killed}')
        time.sleep(0.5)
    time.sleep(args.kill_after)
    if process.poll() is not None:
        raise SystemExit('the run finished before it was killed: give a '
                         'smaller --kill-after')
    process.kill()
    process.wait()
    done = len(json.load(open(osp.join(killed,
                                       'forgetting_summary.json')))['tasks'])
    print(f'killed during task {done}')
    if train(args.config, killed, args.cfg_options, resume=True).wait():
        raise SystemExit(f'the resumed run failed: see {killed}')
    first, second = (json.load(open(osp.join(d, 'forgetting_summary.json')))
                     for d in (whole, killed))
    equal = True
    print('task | Acc_f whole / resumed | Acc_r whole / resumed')
    for a, b in zip(first['tasks'], second['tasks']):
        print(f"{a['task']} | {a['forget']:.2f} / {b['forget']:.2f} | "
              f"{a['retain']:.2f} / {b['retain']:.2f}")
        a, b = ({k: v for k, v in t.items() if k != 'train_seconds'}
                for t in (a, b))
        equal &= a == b
    equal &= len(first['tasks']) == len(second['tasks'])
    print('resumed summary == uninterrupted summary:', equal)
    return 0 if equal else 1


if __name__ == '__main__':
    sys.exit(main())
