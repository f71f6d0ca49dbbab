"""A run killed in the middle of a task and resumed must write the summary
of an uninterrupted run of the same config and seed (timings aside): each
task is seeded from the run seed and the task index.
"""
import os.path as osp
import subprocess
import time

from mmengine.logging import print_log

from .runs import load_summary, train_command


class ResumeCheckError(RuntimeError):
    """The check could not be made (a run failed, or ended too early)."""


def start_training(config, work_dir, options, resume=False):
    """``tools/train.py`` in the background, its output discarded."""
    return subprocess.Popen(train_command(config, work_dir, options, resume),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def same_scores(first, second):
    """Whether two summaries list the same tasks with the same entries,
    ``train_seconds`` aside."""
    def scores(task):
        return {k: v for k, v in task.items() if k != 'train_seconds'}
    return len(first['tasks']) == len(second['tasks']) and all(
        scores(a) == scores(b)
        for a, b in zip(first['tasks'], second['tasks']))


def kill_and_resume(config, out_dir, kill_after=8.0, options=()):
    """Train ``<out_dir>/whole`` uninterrupted, then ``<out_dir>/killed``
    killed ``kill_after`` seconds into its second task and resumed.
    Returns (whole summary, resumed summary, the task it was killed in)."""
    whole, killed = (osp.join(out_dir, n) for n in ('whole', 'killed'))
    if osp.exists(out_dir):
        raise ResumeCheckError(f'{out_dir} exists (an earlier check?): '
                               'remove it or give another out dir')
    print_log(f'uninterrupted run in {whole}', logger='current')
    if start_training(config, whole, options).wait():
        raise ResumeCheckError(f'the uninterrupted run failed: see {whole}')
    print_log(f'run to kill in {killed}', logger='current')
    process = start_training(config, killed, options)
    while not osp.isfile(osp.join(killed, 'task_0.pth')):
        if process.poll() is not None:
            raise ResumeCheckError(
                f'the run ended before task 1: see {killed}')
        time.sleep(0.5)
    time.sleep(kill_after)
    if process.poll() is not None:
        raise ResumeCheckError('the run finished before it was killed: '
                               'give a smaller kill_after')
    process.kill()
    process.wait()
    killed_in = len(load_summary(killed)['tasks'])
    print_log(f'killed during task {killed_in}; resuming', logger='current')
    if start_training(config, killed, options, resume=True).wait():
        raise ResumeCheckError(f'the resumed run failed: see {killed}')
    return load_summary(whole), load_summary(killed), killed_in


def resume_table(first, second):
    """Per task, Acc_f and Acc_r of the uninterrupted and resumed runs."""
    lines = ['task | Acc_f whole / resumed | Acc_r whole / resumed']
    for a, b in zip(first['tasks'], second['tasks']):
        lines.append(f"{a['task']} | {a['forget']:.2f} / {b['forget']:.2f} "
                     f"| {a['retain']:.2f} / {b['retain']:.2f}")
    return '\n'.join(lines)


