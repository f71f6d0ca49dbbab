"""The task schedule of method.md §4 and its bad-input errors."""
import random

import pytest

from mmforget.datasets import ForgettingSchedule, shuffled_class_order

NAMES = [f'class{i}' for i in range(100)]


def test_papers_scheme_100_20_80_20_60_20_40_20():
    schedule = ForgettingSchedule(NAMES, num_tasks=4, first_num_classes=80,
                                  forget_per_task=20, order_seed=1337)
    order = list(range(100))
    random.seed(1337)
    random.shuffle(order)  # the papers' order_list
    assert schedule.class_order == order
    for i, task in enumerate(schedule):
        assert task.retain == order[0:80 - 20 * i]
        assert task.forget == order[80 - 20 * i:100 - 20 * i]
        assert task.old == order[100 - 20 * i:100]
    assert [len(t.retain) for t in schedule] == [80, 60, 40, 20]


def test_a_schedule_cut_short_has_the_same_first_tasks():
    """The depth plan that stops after task 1 (num_tasks=2) must run the
    same first two tasks as the whole 4 x 20 schedule."""
    whole, cut = (ForgettingSchedule(NAMES, num_tasks=n, first_num_classes=80,
                                     forget_per_task=20, order_seed=1337)
                  for n in (4, 2))
    assert len(cut) == 2
    for short, full in zip(cut, whole):
        assert (short.forget, short.retain, short.old) == \
            (full.forget, full.retain, full.old)


def test_detection_scheme_numpy_order_seed_123():
    schedule = ForgettingSchedule(NAMES[:80], num_tasks=7,
                                  first_num_classes=70, forget_per_task=10,
                                  order_seed=123, order_rng='numpy')
    order = shuffled_class_order(80, 123, 'numpy')
    assert schedule[0].forget == order[70:80]
    assert schedule[6].forget == order[10:20]
    assert schedule[6].retain == order[:10]
    assert sorted(schedule[6].old) == sorted(order[20:80])


def test_explicit_tasks_by_name_and_id():
    schedule = ForgettingSchedule(NAMES[:6], tasks=[['class5', 'class1'], [3]])
    assert schedule[0].forget == [5, 1]
    assert schedule[0].retain == [0, 2, 3, 4]
    assert schedule[1].retain == [0, 2, 4]
    assert schedule[1].old == [1, 5]


def test_missing_classes_come_first_in_the_order_and_stay_retained():
    schedule = ForgettingSchedule(NAMES[:10], num_tasks=2, first_num_classes=8,
                                  forget_per_task=2, num_missing_classes=2)
    assert schedule[0].missing == [0, 1]
    assert set(schedule[1].missing) <= set(schedule[1].retain)


@pytest.mark.parametrize('kwargs, message', [
    (dict(tasks=[['nope']]), "class 'nope' is not in the dataset"),
    (dict(tasks=[[12]]), 'class 12 is not in the dataset'),
    (dict(tasks=[[1, 2], [2, 3]]), 'both forget class 2'),
    (dict(num_tasks=5, first_num_classes=8, forget_per_task=2),
     'does not fit 10 classes'),
    (dict(num_tasks=2), 'needs `tasks`, or all of'),
])
def test_bad_schedules_are_refused_with_the_reason(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ForgettingSchedule(NAMES[:10], **kwargs)
