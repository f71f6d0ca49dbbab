"""Acc_r, Acc_f, Acc_o, Acc_m, Drop and H-Mean of one forgetting task.

The task (which classes are forgotten, kept, forgotten before, missing, and
Acc_f before the task) is read from the message hub info
``forgetting_task``: the continual loop publishes it during training, and
``ForgettingTaskHook`` publishes it from a ``task_<t>.pth`` checkpoint under
``tools/test.py``. Per-class counts are returned too, so any class subset
can be scored later from one evaluation.
"""
import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MessageHub

from mmforget.registry import METRICS
from .forgetting_scores import forgetting_drop, h_mean, subset_score

TASK_INFO_KEY = 'forgetting_task'
SCORE_KEYS = ('retain', 'forget', 'old', 'missing', 'drop', 'h_mean')


def task_scores(per_class, task):
    """Scores of ``task`` (a dict with forget/retain/old/missing class ids
    and, optionally, ``forget_before``) from a per-class record (see
    ``subset_score``)."""
    scores = dict()
    for name in ('retain', 'forget', 'old', 'missing'):
        value = subset_score(per_class, task.get(name, []))
        if value is not None:
            scores[name] = value
    if task.get('forget_before') is not None and 'forget' in scores:
        scores['drop'] = forgetting_drop(task['forget_before'],
                                         scores['forget'])
        scores['h_mean'] = h_mean(scores.get('retain', 0.0), scores['drop'])
    return scores


@METRICS.register_module()
class ForgettingMetric(BaseMetric):
    """Forgetting scores of a single-label classifier, in percent."""
    default_prefix = 'forgetting'

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            self.results.append(
                (int(sample['gt_label']), int(sample['pred_label'])))

    def compute_metrics(self, results):
        labels = np.asarray([r[0] for r in results], dtype=np.int64)
        preds = np.asarray([r[1] for r in results], dtype=np.int64)
        num_classes = (len(self.dataset_meta['classes'])
                       if self.dataset_meta else int(labels.max()) + 1)
        total = np.bincount(labels, minlength=num_classes)
        correct = np.bincount(labels[labels == preds], minlength=num_classes)
        metrics = dict(accuracy=100.0 * correct.sum() / max(total.sum(), 1))
        task = MessageHub.get_current_instance().get_info(TASK_INFO_KEY)
        if task:
            # Every key every time (nan = not defined for this task), so the
            # log never shows a value left over from an earlier evaluation.
            scores = task_scores(
                dict(class_correct=correct, class_total=total), task)
            for key in SCORE_KEYS:
                metrics[key] = scores.get(key, float('nan'))
        metrics['class_correct'] = correct.tolist()
        metrics['class_total'] = total.tolist()
        return metrics
