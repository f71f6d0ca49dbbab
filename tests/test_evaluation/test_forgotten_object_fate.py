"""Forgotten-Object Fate on hand-made detections: a forgotten object found
under its own label, under another label, or not at all."""
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.structures import InstanceData

from mmforget.evaluation import ForgottenObjectFate, object_fates
from mmforget.evaluation.forgotten_object_fate import box_iou

BOX = [0, 0, 10, 10]


def test_box_iou_by_hand():
    iou = box_iou([BOX], [[5, 0, 15, 10], [20, 20, 30, 30], BOX])
    assert iou.tolist() == [[pytest.approx(50 / 150), 0.0, 1.0]]


def test_each_fate():
    gt_boxes, gt_labels = [BOX, BOX, BOX, BOX], [3, 3, 3, 1]
    # Own label (best score wins over a weaker relabelling).
    assert object_fates(gt_boxes[:1], [3], [BOX, BOX], [0.9, 0.5], [3, 0],
                        forgotten=[3]) == [('detected', 3, True)]
    # Found, but the best confident detection says class 0.
    assert object_fates(gt_boxes[:1], [3], [BOX, BOX], [0.4, 0.9], [3, 0],
                        forgotten=[3]) == [('relabelled', 0, True)]
    # Only a low-score detection: background, yet found class-agnostically.
    assert object_fates(gt_boxes[:1], [3], [BOX], [0.1], [3],
                        forgotten=[3]) == [('background', None, True)]
    # A detection that does not overlap enough: background, not found.
    assert object_fates(gt_boxes[:1], [3], [[6, 6, 16, 16]], [0.9], [3],
                        forgotten=[3]) == [('background', None, False)]
    # Only forgotten classes' boxes are judged.
    assert len(object_fates(gt_boxes, gt_labels, [], [], [],
                            forgotten=[3])) == 3


def test_metric_shares_in_percent():
    metric = ForgottenObjectFate(forgotten=[3])

    def sample(gt_labels, labels, scores):
        n = len(gt_labels)
        return dict(
            gt_instances=InstanceData(bboxes=torch.tensor([BOX] * n,
                                                          dtype=torch.float),
                                      labels=torch.tensor(gt_labels)),
            pred_instances=InstanceData(
                bboxes=torch.tensor([BOX] * len(labels), dtype=torch.float),
                scores=torch.tensor(scores), labels=torch.tensor(labels)))
    metric.process({}, [sample([3], [3], [0.9]), sample([3], [0], [0.8]),
                        sample([3, 1], [1], [0.05]), sample([3], [], [])])
    scores = metric.compute_metrics(metric.results)
    assert scores['fof_detected'] == 25
    assert scores['fof_relabelled'] == 25
    assert scores['fof_background'] == 50
    assert scores['agnostic_recall'] == 75
    assert scores['fof_relabelled_as'] == {'0': 1}


def test_metric_needs_the_forgotten_classes():
    MessageHub.get_instance('no task published')  # the current hub now
    metric = ForgottenObjectFate()
    with pytest.raises(ValueError, match='forgotten classes'):
        metric.compute_metrics([])
