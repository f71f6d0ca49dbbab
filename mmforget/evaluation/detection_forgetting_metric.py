"""AP on forgotten, retained and earlier-forgotten classes of a detector.

mmdet's ``CocoMetric`` runs as usual (its ``bbox_mAP`` ... keys are kept),
with per-class AP@[.5:.95]; the AP of a class subset is the mean of its
classes' APs (the COCO mAP restricted to those categories, over the whole
evaluation set). Drop and H-Mean then follow the classifier's definitions
with AP in place of accuracy. The task comes from the message hub, as for
``ForgettingMetric``.
"""
import math

from mmdet.evaluation import CocoMetric
from mmengine.logging import MessageHub

from mmforget.registry import METRICS
from .forgetting_metric import SCORE_KEYS, TASK_INFO_KEY, task_scores


@METRICS.register_module()
class DetectionForgettingMetric(CocoMetric):
    """``CocoMetric`` (bbox) + the forgetting scores on AP, in percent.

    Returns ``bbox_mAP`` etc. (fractions, as ``CocoMetric``), the scores of
    ``SCORE_KEYS`` in percent and ``class_ap``: each class's AP in percent
    (None for a class without ground truth in the evaluation set).

    Args:
        ann_file (str): COCO-format annotations of the evaluation set.
        **kwargs: further ``CocoMetric`` arguments.
    """

    def __init__(self, ann_file=None, **kwargs):
        if ann_file is None:
            raise ValueError(
                'DetectionForgettingMetric needs ann_file: the COCO-format '
                'annotations of the evaluation set (e.g. '
                "ann_file=data_root + 'annotations/val.json')")
        kwargs.update(metric='bbox', classwise=True, format_only=False)
        super().__init__(ann_file=ann_file, **kwargs)

    def compute_metrics(self, results):
        metrics = super().compute_metrics(results)
        class_ap = []
        for class_name, cat_id in zip(self.dataset_meta['classes'],
                                      self.cat_ids):
            ap = metrics.get(f'{class_name}_precision')
            if not self._coco_api.get_ann_ids(cat_ids=[cat_id]):
                class_ap.append(None)  # no ground truth: AP undefined
            elif ap is None or math.isnan(ap):
                class_ap.append(0.0)  # no detection at all
            else:
                class_ap.append(100.0 * ap)
        task = MessageHub.get_current_instance().get_info(TASK_INFO_KEY)
        if task:
            scores = task_scores(dict(class_ap=class_ap), task)
            for key in SCORE_KEYS:
                metrics[key] = scores.get(key, float('nan'))
        metrics['class_ap'] = class_ap
        return metrics
