"""What becomes of a forgotten class's objects in a detector's output.

AP_f says the detector no longer names them; it does not say whether they
are still found and only renamed (a retained label on the same box: the
knowledge is there) or fall to background, which is what a Retrain
detector does with objects it never learnt. Every forgotten ground-truth
box is bucketed by the best-scoring detection (score >= ``score_thr``)
that overlaps it with IoU >= ``iou_thr``, whatever its label:
*detected* (its own class), *relabelled* (another class; the labels are
counted) or *background* (none). Class-agnostic recall: any of the top
100 detections, any score, overlaps it with IoU >= ``iou_thr``.
"""
from collections import Counter

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MessageHub

from mmforget.registry import METRICS
from .forgetting_metric import TASK_INFO_KEY

FATE_KEYS = ('fof_detected', 'fof_relabelled', 'fof_background',
             'agnostic_recall', 'fof_relabelled_as')


def box_iou(boxes_a, boxes_b):
    """IoU of every pair of (x1, y1, x2, y2) boxes."""
    a, b = np.asarray(boxes_a, float), np.asarray(boxes_b, float)
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)))
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod((bottom_right - top_left).clip(min=0), axis=2)
    area_a = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:] - b[:, :2], axis=1)
    return inter / (area_a[:, None] + area_b[None, :] - inter).clip(1e-12)


def object_fates(gt_boxes, gt_labels, boxes, scores, labels, forgotten,
                 score_thr=0.3, iou_thr=0.5, top_k=100):
    """(fate, detected label or None, found class-agnostically) of every
    forgotten ground-truth box of one image."""
    keep = np.argsort(-np.asarray(scores))[:top_k]
    boxes, scores, labels = (np.asarray(x)[keep]
                             for x in (boxes, scores, labels))
    gt_labels = np.asarray(gt_labels)
    chosen = np.flatnonzero(np.isin(gt_labels, list(forgotten)))
    overlaps = box_iou(np.asarray(gt_boxes)[chosen], boxes) >= iou_thr
    fates = []
    for row, index in zip(overlaps, chosen):
        found = bool(row.any())
        confident = np.flatnonzero(row & (scores >= score_thr))
        if not len(confident):
            fates.append(('background', None, found))
            continue
        label = int(labels[confident[np.argmax(scores[confident])]])
        fate = 'detected' if label == gt_labels[index] else 'relabelled'
        fates.append((fate, label, found))
    return fates


@METRICS.register_module()
class ForgottenObjectFate(BaseMetric):
    """Forgotten-Object Fate and class-agnostic recall of the classes
    forgotten so far (the task published by the continual loop, or
    ``forgotten``), in percent of their ground-truth boxes:
    ``fof_detected``, ``fof_relabelled``, ``fof_background``,
    ``agnostic_recall``, and ``fof_relabelled_as`` (label -> count)."""
    default_prefix = 'fate'

    def __init__(self, forgotten=None, score_thr=0.3, iou_thr=0.5,
                 top_k=100, **kwargs):
        super().__init__(**kwargs)
        self.forgotten = forgotten
        self.score_thr = score_thr
        self.iou_thr = iou_thr
        self.top_k = top_k

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            pred, gt = sample['pred_instances'], sample['gt_instances']
            self.results.append(dict(
                gt_boxes=gt['bboxes'].cpu().numpy(),
                gt_labels=gt['labels'].cpu().numpy(),
                boxes=pred['bboxes'].cpu().numpy(),
                scores=pred['scores'].cpu().numpy(),
                labels=pred['labels'].cpu().numpy()))

    def forgotten_classes(self):
        if self.forgotten is not None:
            return list(self.forgotten)
        task = MessageHub.get_current_instance().get_info(TASK_INFO_KEY)
        if not task:
            raise ValueError(
                'ForgottenObjectFate needs the forgotten classes: run it in '
                'a continual forgetting loop, or give forgotten=[...]')
        return list(task['forget']) + list(task.get('old') or [])

    def compute_metrics(self, results):
        forgotten = self.forgotten_classes()
        fates = [fate for r in results for fate in object_fates(
            r['gt_boxes'], r['gt_labels'], r['boxes'], r['scores'],
            r['labels'], forgotten, self.score_thr, self.iou_thr,
            self.top_k)]
        if not fates:
            return dict(fof_detected=None, fof_relabelled=None,
                        fof_background=None, agnostic_recall=None,
                        fof_relabelled_as={})
        counts = Counter(fate for fate, _, _ in fates)
        share = {k: 100.0 * counts[k] / len(fates)
                 for k in ('detected', 'relabelled', 'background')}
        return dict(
            fof_detected=share['detected'],
            fof_relabelled=share['relabelled'],
            fof_background=share['background'],
            agnostic_recall=100.0 * np.mean([f for _, _, f in fates]),
            fof_relabelled_as=dict(Counter(
                str(label) for fate, label, _ in fates
                if fate == 'relabelled')))
