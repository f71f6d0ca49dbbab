"""What a finished task adds to its summary entry and to the work dir,
beside its scores: the gaps to a Retrain reference, the forgetting checks
and their gap card, the optimizer's statistics, and the released weights.
The loop calls them in a fixed order and knows nothing of what they do."""
import glob
import os
import os.path as osp

import torch
from mmengine.dist import is_main_process
from mmengine.logging import print_log

from mmforget.evaluation import ForgettingSummary
from mmforget.evaluation.checks import (add_run_time, format_gap_card,
                                        gap_card, run_minutes)
from mmforget.evaluation.release_hygiene import release_path, write_release
from mmforget.registry import FORGETTING_CHECKS


def task_checkpoint_path(work_dir, task_index):
    return osp.join(work_dir, f'task_{task_index}.pth')


def refuse_earlier_run(work_dir):
    """Refuse to start a new run over an earlier one's results."""
    if ForgettingSummary.load(work_dir) or glob.glob(
            osp.join(work_dir, 'task_*.pth')):
        raise FileExistsError(
            f'{work_dir} already holds a forgetting run '
            '(forgetting_summary.json / task_*.pth). Pass --resume to '
            'continue it, or --work-dir to start a new one elsewhere.')


def optimizer_statistics(optim_wrapper):
    """The group-sparse wrapper's zero-group ratio and group norms (zero and
    none for other wrappers); read before the task's adapters merge."""
    stats = dict(zero_group_ratio=0.0, group_norms={})
    if hasattr(optim_wrapper, 'zero_group_ratio'):
        stats['zero_group_ratio'] = float(optim_wrapper.zero_group_ratio())
    if hasattr(optim_wrapper, 'group_norms'):
        stats['group_norms'] = {
            k: float(v) for k, v in optim_wrapper.group_norms().items()}
    return stats


class ReferenceGaps:
    """``train_cfg.reference``: the work dir (or summary) of a Retrain run
    of the same schedule, checked before any training; every task entry
    gets ``gap_to_reference``, |Acc_f|, |Acc_r|, |Acc_o| differences."""

    def __init__(self, reference, schedule):
        path = reference if reference.endswith('.json') else osp.join(
            reference, 'forgetting_summary.json')
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'train_cfg.reference: no summary at {path}; give the work '
                'dir of a finished Retrain run of the same schedule')
        tasks = ForgettingSummary.load(osp.dirname(path)).tasks
        if len(tasks) < len(schedule) or any(
                t['forget_classes'] != list(schedule[i].forget)
                for i, t in enumerate(tasks[:len(schedule)])):
            raise ValueError(
                f'train_cfg.reference: {path} does not hold the tasks of '
                'this schedule (same forget classes, in order, every task '
                'finished); run Retrain with this schedule first')
        self.tasks = tasks
        self.work_dir = osp.dirname(path)

    def add_gaps(self, entry):
        theirs = self.tasks[entry['task']]
        entry['gap_to_reference'] = {
            key: abs(entry[key] - theirs[key])
            for key in ('forget', 'retain', 'old')
            if entry.get(key) is not None and theirs.get(key) is not None}

    def task_checkpoint(self, index):
        path = task_checkpoint_path(self.work_dir, index)
        return path if osp.isfile(path) else None


class TaskChecks:
    """``train_cfg.evaluation``: the forgetting checks (a
    ``ForgettingEvaluator``) of this task's model (U), the pre-trained one
    (O) and the reference's task (R), and their gap card in the log."""

    def __init__(self, evaluation, model):
        if not hasattr(model, 'embed'):
            raise ValueError(
                'train_cfg.evaluation runs the forgetting checks of '
                f'classifiers; {type(model).__name__} has no embedding to '
                "check. For detectors add dict(type='mmforget."
                "ForgottenObjectFate') to test_evaluator instead, and drop "
                'train_cfg.evaluation; tools/evaluate_forgetting.py checks '
                "a detector's task checkpoints on its objects.")
        self.evaluator = FORGETTING_CHECKS.build(
            dict(dict(type='mmforget.ForgettingEvaluator'), **evaluation))

    def add_checks(self, entry, train_seconds, cfg, schedule, model,
                   summary, reference):
        if not is_main_process():
            return
        index = entry['task']
        entry['checks'] = self.evaluator.after_task(
            cfg, schedule, schedule[index], model,
            None if reference is None else reference.task_checkpoint(index))
        add_run_time(
            entry['checks'],
            run_minutes(summary.tasks + [dict(train_seconds=train_seconds)],
                        index),
            None if reference is None else run_minutes(reference.tasks,
                                                       index))
        seconds = sum(entry['checks']['seconds'].values())
        print_log(f'Gap card, task {index} (O original, U this task, R '
                  'reference):\n' + format_gap_card(gap_card(
                      *(entry['checks'].get(k) for k in 'OUR'))) +
                  f'\nThe checks took {seconds:.1f} s, '
                  f'{100 * seconds / train_seconds:.0f}% of the task\'s '
                  'training time', logger='current')


def save_task(work_dir, task_info, method_name, dataset_meta, state_dict):
    """``task_<t>.pth``: merged weights and the task description (for
    tools/test.py); ``release/task_<t>.pth``: the same weights, no class
    ids. Nothing that could restore what was forgotten (no LoRA, optimizer
    or old weights)."""
    if not is_main_process():
        return
    checkpoint = dict(
        meta=dict(forgetting_task=task_info, method=method_name,
                  dataset_meta=dataset_meta),
        state_dict=state_dict)
    path = task_checkpoint_path(work_dir, task_info['task'])
    torch.save(checkpoint, path + '.tmp')
    os.replace(path + '.tmp', path)
    write_release(state_dict, release_path(work_dir, task_info['task']),
                  method_name)
