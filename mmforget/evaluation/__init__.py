from .detection_forgetting_metric import DetectionForgettingMetric
from .forgetting_metric import (TASK_INFO_KEY, ForgettingMetric,
                                task_scores)
from .forgetting_summary import ForgettingSummary
from .forgotten_object_fate import ForgottenObjectFate, object_fates
from .forgetting_scores import (PER_CLASS_KEYS, forgetting_drop, h_mean,
                                subset_accuracy, subset_ap, subset_score)

__all__ = [
    'ForgettingSummary',
    'ForgettingMetric', 'TASK_INFO_KEY', 'task_scores', 'forgetting_drop',
    'h_mean', 'subset_accuracy', 'subset_ap', 'subset_score',
    'DetectionForgettingMetric', 'PER_CLASS_KEYS', 'ForgottenObjectFate',
    'object_fates'
]
