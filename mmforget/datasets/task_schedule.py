"""Which classes each forgetting task removes, keeps and has removed before.

The papers' scheme (GS-LoRA, method.md §4): shuffle the class ids with a
seed, then task ``i`` forgets ``order[first - per*i : first - per*i + per]``,
keeps ``order[:first - per*i]`` and has already forgotten everything after
that. ``first_num_classes`` is the number of classes kept after the first
task (80 in the 100-class face/ImageNet100 tables, 70 for COCO).
"""
import random
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import numpy as np


@dataclass
class ForgettingTask:
    """The class ids one task deals with."""
    index: int
    forget: List[int]
    retain: List[int]
    old: List[int] = field(default_factory=list)
    # Retained classes that get no training data (missing-class setting).
    missing: List[int] = field(default_factory=list)

    def to_dict(self):
        return dict(task=self.index, forget=list(self.forget),
                    retain=list(self.retain), old=list(self.old),
                    missing=list(self.missing))


def shuffled_class_order(num_classes, seed, rng='python'):
    """The papers' class orders: Python's ``random.shuffle`` (face,
    ImageNet100, seed 1337) or numpy's (COCO, seed 123)."""
    order = list(range(num_classes))
    if rng == 'python':
        random.Random(seed).shuffle(order)
    elif rng == 'numpy':
        np.random.RandomState(seed).shuffle(order)
    else:
        raise ValueError(f"order_rng must be 'python' or 'numpy', got {rng!r}")
    return order


class ForgettingSchedule:
    """A sequence of forgetting tasks over a dataset's classes.

    Give either ``num_tasks`` + ``first_num_classes`` + ``forget_per_task``
    (with a ``class_order`` or an ``order_seed``), or ``tasks``: an explicit
    list of forget lists. Classes may be named by id or by name.

    Args:
        class_names (Sequence[str]): the dataset's classes, in label order.
        num_tasks, first_num_classes, forget_per_task (int): the papers'
            scheme, e.g. 4, 80, 20 for "100-20, 80-20, 60-20, 40-20".
        tasks (list[list[int | str]]): explicit forget classes per task.
        class_order (list[int | str]): explicit order for the papers' scheme.
        order_seed (int): seed of a shuffled order (default: identity order).
        order_rng (str): 'python' or 'numpy' shuffle.
        num_missing_classes (int): the first classes of the order get no
            training data in any task (missing-class setting).
    """

    def __init__(self,
                 class_names: Sequence[str],
                 num_tasks: Optional[int] = None,
                 first_num_classes: Optional[int] = None,
                 forget_per_task: Optional[int] = None,
                 tasks: Optional[list] = None,
                 class_order: Optional[list] = None,
                 order_seed: Optional[int] = None,
                 order_rng: str = 'python',
                 num_missing_classes: int = 0):
        self.class_names = list(class_names)
        num_classes = len(self.class_names)
        if tasks is not None:
            if any(v is not None for v in (num_tasks, first_num_classes,
                                           forget_per_task)):
                raise ValueError(
                    'give either `tasks` (explicit forget lists) or '
                    '`num_tasks`/`first_num_classes`/`forget_per_task`, '
                    'not both')
            forget_lists = [self._to_ids(t, f'tasks[{i}]')
                            for i, t in enumerate(tasks)]
            order = self._order(class_order, order_seed, order_rng)
        else:
            if None in (num_tasks, first_num_classes, forget_per_task):
                raise ValueError(
                    'a forgetting schedule needs `tasks`, or all of '
                    '`num_tasks`, `first_num_classes` and `forget_per_task`')
            order = self._order(class_order, order_seed, order_rng)
            last_kept = first_num_classes - forget_per_task * (num_tasks - 1)
            if (first_num_classes + forget_per_task > num_classes
                    or last_kept < 1 or forget_per_task < 1):
                raise ValueError(
                    f'num_tasks={num_tasks}, first_num_classes='
                    f'{first_num_classes}, forget_per_task={forget_per_task} '
                    f'does not fit {num_classes} classes: it needs '
                    'first_num_classes + forget_per_task <= number of '
                    'classes and at least one class kept after the last task')
            forget_lists = []
            for i in range(num_tasks):
                end = first_num_classes - forget_per_task * i
                forget_lists.append(order[end:end + forget_per_task])
        if not forget_lists:
            raise ValueError('the forgetting schedule has no task')
        self._check_disjoint(forget_lists)
        self.class_order = order
        if not 0 <= num_missing_classes:
            raise ValueError('num_missing_classes must be >= 0')
        forgotten_all = {c for f in forget_lists for c in f}
        kept_order = [c for c in order if c not in forgotten_all]
        if num_missing_classes >= len(kept_order):
            raise ValueError(
                f'num_missing_classes={num_missing_classes} leaves no '
                f'retained class with training data (only {len(kept_order)} '
                'classes are never forgotten)')
        missing = kept_order[:num_missing_classes]
        self.tasks = []
        forgotten = []
        for i, forget in enumerate(forget_lists):
            retain = [c for c in order
                      if c not in forget and c not in forgotten]
            old = [c for c in order if c in forgotten]
            self.tasks.append(
                ForgettingTask(i, list(forget), retain, old, list(missing)))
            forgotten.extend(forget)

    def __len__(self):
        return len(self.tasks)

    def __getitem__(self, index) -> ForgettingTask:
        return self.tasks[index]

    def _order(self, class_order, order_seed, order_rng):
        num_classes = len(self.class_names)
        if class_order is not None:
            order = self._to_ids(class_order, 'class_order')
            if sorted(order) != list(range(num_classes)):
                raise ValueError(
                    'class_order must list every class exactly once '
                    f'({num_classes} classes)')
            return order
        if order_seed is not None:
            return shuffled_class_order(num_classes, order_seed, order_rng)
        return list(range(num_classes))

    def _to_ids(self, classes, where):
        ids = []
        for c in classes:
            if isinstance(c, str):
                if c not in self.class_names:
                    raise ValueError(
                        f'{where}: class {c!r} is not in the dataset; its '
                        f'classes are {self.class_names}')
                ids.append(self.class_names.index(c))
            elif isinstance(c, (int, np.integer)) and \
                    0 <= c < len(self.class_names):
                ids.append(int(c))
            else:
                raise ValueError(
                    f'{where}: class {c!r} is not in the dataset; ids run '
                    f'from 0 to {len(self.class_names) - 1}')
        if len(set(ids)) != len(ids):
            raise ValueError(f'{where}: a class is listed twice: {classes}')
        return ids

    @staticmethod
    def _check_disjoint(forget_lists):
        seen = {}
        for i, forget in enumerate(forget_lists):
            if not forget:
                raise ValueError(f'task {i} forgets no class')
            for c in forget:
                if c in seen:
                    raise ValueError(
                        f'tasks {seen[c]} and {i} both forget class {c}: a '
                        'class can be forgotten only once')
                seen[c] = i
