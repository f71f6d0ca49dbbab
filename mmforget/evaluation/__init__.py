from .forgetting_metric import (TASK_INFO_KEY, ForgettingMetric,
                                task_scores)
from .forgetting_summary import ForgettingSummary
from .forgetting_scores import forgetting_drop, h_mean, subset_accuracy

__all__ = [
    'ForgettingSummary',
    'ForgettingMetric', 'TASK_INFO_KEY', 'task_scores', 'forgetting_drop',
    'h_mean', 'subset_accuracy'
]
