"""What a forgetting method may read of the run it is part of.

The loop hands every method hook a :class:`TaskContext` instead of itself:
the task, the schedule, the epochs, the seeds, a copy of the model config,
the task's data, an evaluation of the model as it is now and the weights an
earlier task released. A method can read these, never change how the run
iterates (no loop, runner or dataset object reaches it).
"""
from dataclasses import dataclass
from typing import Any, Callable


def task_seed(run_seed, task_index):
    """The seed of one task: from the run seed and the task index only, so
    a resumed task draws the same numbers as in an uninterrupted run."""
    return (int(run_seed) + 1009 * task_index) % 2**31


@dataclass(frozen=True)
class TaskContext:
    """A read-only view of the current task of a continual run.

    Args:
        task_index (int): the current task (from 0).
        schedule (ForgettingSchedule): every task of the run.
        max_epochs (int): epochs per task (0: a training-free method).
        run_seed (int): the run's seed (``randomness.seed``).
        model_cfg (Config): a copy of the run's model config (methods that
            build a fresh model, e.g. Retrain).
        has_val_split (bool): whether the run has a validation split.
        data_loader (callable): ``(split='all', batch_size=None,
            task_index=None)``: that task's training samples ('all',
            'forget' or 'retain'), each once, in order, through the training
            pipeline; default task: the current one.
        evaluate (callable): ``(split)``: per-class scores of the model as
            it is now on 'val' or 'test' (``class_correct``/``class_total``
            or ``class_ap``).
        load_released_task (callable): ``(index)``: load the weights that
            task ``index`` of this run released into the model.
    """

    task_index: int
    schedule: Any
    max_epochs: int
    run_seed: int
    model_cfg: Any
    has_val_split: bool
    data_loader: Callable
    evaluate: Callable
    load_released_task: Callable

    @property
    def task(self):
        return self.schedule[self.task_index]

    @property
    def task_seed(self):
        """This task's seed (see :func:`task_seed`)."""
        return task_seed(self.run_seed or 0, self.task_index)

    def task_data_loader(self, split='all', batch_size=None,
                         task_index=None):
        return self.data_loader(split, batch_size, task_index)
