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
import sys

from mmforget.benchmarks.resume_check import (ResumeCheckError,
                                              kill_and_resume, resume_table,
                                              same_scores)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--out-dir', default='work_dirs/kill_and_resume')
    parser.add_argument('--kill-after', type=float, default=8,
                        help='seconds into the second task')
    parser.add_argument('--cfg-options', nargs='*', default=[])
    args = parser.parse_args()
    try:
        whole, resumed, killed_in = kill_and_resume(
            args.config, args.out_dir, args.kill_after, args.cfg_options)
    except ResumeCheckError as error:
        raise SystemExit(str(error))
    print(f'killed during task {killed_in}')
    print(resume_table(whole, resumed))
    equal = same_scores(whole, resumed)
    print('resumed summary == uninterrupted summary:', equal)
    return 0 if equal else 1


if __name__ == '__main__':
    sys.exit(main())
