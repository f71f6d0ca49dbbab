"""The papers' forgetting scores (method.md §7, evaluation.md), in percent."""
from typing import Optional, Sequence

import numpy as np

# The per-class records an evaluation can return; a subset's score is
# computed from them (``subset_score``).
PER_CLASS_KEYS = ('class_correct', 'class_total', 'class_ap')


def subset_accuracy(class_correct: Sequence[int], class_total: Sequence[int],
                    classes: Sequence[int]) -> Optional[float]:
    """Top-1 accuracy over all test samples of ``classes`` (pooled, not a
    mean of per-class accuracies); None when they have no sample."""
    if not len(classes):
        return None
    classes = np.asarray(list(classes), dtype=np.int64)
    total = int(np.asarray(class_total)[classes].sum())
    if total == 0:
        return None
    return 100.0 * float(np.asarray(class_correct)[classes].sum()) / total


def subset_ap(class_ap: Sequence[Optional[float]],
              classes: Sequence[int]) -> Optional[float]:
    """Mean AP over ``classes`` (COCO mAP restricted to them); classes
    without ground truth (None) are left out; None when none is left."""
    values = [class_ap[c] for c in classes if class_ap[c] is not None]
    return float(np.mean(values)) if values else None


def subset_score(per_class: dict, classes: Sequence[int]) -> Optional[float]:
    """The score of a class subset from one evaluation's per-class record:
    ``class_ap`` (detection: mean AP) or ``class_correct`` + ``class_total``
    (classification: pooled accuracy)."""
    if 'class_ap' in per_class:
        return subset_ap(per_class['class_ap'], classes)
    return subset_accuracy(per_class['class_correct'],
                           per_class['class_total'], classes)


def forgetting_drop(forget_before: float, forget_after: float) -> float:
    """Drop = Acc_f measured just before the task - Acc_f after it."""
    return forget_before - forget_after


def h_mean(retain: float, drop: float) -> float:
    """H-Mean = 2 * Acc_r * Drop / (Acc_r + Drop).

    A model that forgot nothing (Drop <= 0) or kept nothing scores 0.
    """
    if retain <= 0 or drop <= 0:
        return 0.0
    return 2.0 * retain * drop / (retain + drop)
