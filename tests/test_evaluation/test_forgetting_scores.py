"""H-Mean, Drop and subset accuracies, on the papers' worked examples."""
import pytest
from mmengine.logging import MessageHub

from mmforget.evaluation import (ForgettingMetric, forgetting_drop, h_mean,
                                 subset_accuracy)


def test_h_mean_of_the_papers_worked_examples():
    # Table 2, 100-5, GS-LoRA: Acc_r 71.16, Drop 70.88 -> H 71.02.
    assert h_mean(71.16, 70.88) == pytest.approx(71.02, abs=0.005)
    # Table 3, 80-20: Acc_f before 73.80, after 0 -> Drop 73.80; H 73.58.
    drop = forgetting_drop(73.80, 0.0)
    assert h_mean(73.37, drop) == pytest.approx(73.58, abs=0.005)


def test_h_mean_is_zero_when_nothing_was_forgotten():
    assert h_mean(90.0, 0.0) == 0.0
    assert h_mean(90.0, -5.0) == 0.0


def test_subset_accuracy_pools_samples():
    correct, total = [1, 9, 0], [2, 10, 4]
    assert subset_accuracy(correct, total, [0, 1]) == pytest.approx(
        100 * 10 / 12)
    assert subset_accuracy(correct, total, []) is None


def test_metric_scores_the_published_task():
    hub = MessageHub.get_instance('test_forgetting_metric')
    hub.update_info('forgetting_task', dict(
        forget=[2], retain=[0, 1], old=[3], missing=[1], forget_before=80.0))
    metric = ForgettingMetric()
    metric.dataset_meta = dict(classes=('a', 'b', 'c', 'd'))
    # (label, prediction): class 0 2/2 right, class 1 1/2, class 2 1/4,
    # class 3 0/1.
    pairs = [(0, 0), (0, 0), (1, 1), (1, 0), (2, 2), (2, 0), (2, 1), (2, 0),
             (3, 0)]
    metric.process({}, [dict(gt_label=g, pred_label=p) for g, p in pairs])
    scores = metric.compute_metrics(metric.results)
    assert scores['retain'] == pytest.approx(75.0)
    assert scores['forget'] == pytest.approx(25.0)
    assert scores['old'] == pytest.approx(0.0)
    assert scores['missing'] == pytest.approx(50.0)
    assert scores['drop'] == pytest.approx(55.0)
    assert scores['h_mean'] == pytest.approx(2 * 75 * 55 / 130)
    assert scores['class_correct'] == [2, 1, 1, 0]
