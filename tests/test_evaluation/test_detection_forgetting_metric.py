"""Per-subset AP, Drop and H-Mean of the detection metric on hand-made
predictions."""
import json

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub

from mmforget.evaluation import TASK_INFO_KEY, DetectionForgettingMetric

CLASSES = ('a', 'b', 'c', 'd')
# Image 0: one 'a' and one 'b'; image 1: one 'c'. Class 'd' has no box.
GT = {0: [(0, [4, 4, 20, 20]), (1, [30, 30, 20, 20])],
      1: [(2, [10, 10, 30, 30])]}


def write_annotations(path):
    images = [dict(id=i, file_name=f'{i}.png', width=64, height=64)
              for i in GT]
    annotations = []
    for image, boxes in GT.items():
        for label, box in boxes:
            annotations.append(dict(
                id=len(annotations) + 1, image_id=image,
                category_id=label + 1, bbox=box, area=box[2] * box[3],
                iscrowd=0))
    categories = [dict(id=i + 1, name=n) for i, n in enumerate(CLASSES)]
    path.write_text(json.dumps(dict(images=images, annotations=annotations,
                                    categories=categories)))
    return str(path)


def prediction(image, boxes):
    """boxes: (label, xywh, score)."""
    xyxy = [[x, y, x + w, y + h] for _, (x, y, w, h), _ in boxes]
    return dict(img_id=image, ori_shape=(64, 64), pred_instances=dict(
        bboxes=torch.tensor(xyxy, dtype=torch.float32).reshape(-1, 4),
        scores=torch.tensor([s for *_, s in boxes]),
        labels=torch.tensor([label for label, *_ in boxes])))


def evaluate(tmp_path, predictions, task=None):
    hub = MessageHub.get_current_instance()
    hub.update_info(TASK_INFO_KEY, task)
    metric = DetectionForgettingMetric(
        ann_file=write_annotations(tmp_path / 'gt.json'))
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, predictions)
    try:
        return metric.evaluate(len(predictions))
    finally:
        hub.update_info(TASK_INFO_KEY, None)


def test_per_class_and_per_subset_ap(tmp_path):
    # 'a' and 'c' found exactly, 'b' missed (its box is on the wrong spot).
    predictions = [
        prediction(0, [(0, [4, 4, 20, 20], 0.9), (1, [0, 40, 10, 10], 0.8)]),
        prediction(1, [(2, [10, 10, 30, 30], 0.7)]),
    ]
    task = dict(task=1, forget=[1], retain=[0, 2, 3], old=[], missing=[],
                forget_before=80.0)
    metrics = evaluate(tmp_path, predictions, task)
    metrics = {k.split('/', 1)[-1]: v for k, v in metrics.items()}
    assert metrics['class_ap'][0] == pytest.approx(100.0)
    assert metrics['class_ap'][1] == pytest.approx(0.0)
    assert metrics['class_ap'][2] == pytest.approx(100.0)
    assert metrics['class_ap'][3] is None  # no ground truth
    assert metrics['retain'] == pytest.approx(100.0)  # 'd' left out
    assert metrics['forget'] == pytest.approx(0.0)
    assert np.isnan(metrics['old'])
    assert metrics['drop'] == pytest.approx(80.0)
    assert metrics['h_mean'] == pytest.approx(2 * 100 * 80 / 180)
    assert metrics['bbox_mAP'] == pytest.approx(2 / 3, abs=1e-3)


def test_a_false_positive_lowers_that_class_only(tmp_path):
    # A confident wrong 'a' box in image 1 ranks above the right one.
    predictions = [
        prediction(0, [(0, [4, 4, 20, 20], 0.5), (1, [30, 30, 20, 20], 0.9)]),
        prediction(1, [(0, [40, 40, 20, 20], 0.95),
                       (2, [10, 10, 30, 30], 0.7)]),
    ]
    metrics = evaluate(tmp_path, predictions)
    class_ap = metrics['coco/class_ap']
    assert class_ap[1] == pytest.approx(100.0)
    assert class_ap[2] == pytest.approx(100.0)
    assert class_ap[0] == pytest.approx(50.0)  # precision 1/2 at recall 1


def test_no_detection_at_all_scores_zero(tmp_path):
    metrics = evaluate(tmp_path, [prediction(0, []), prediction(1, [])])
    assert metrics['coco/class_ap'] == [0.0, 0.0, 0.0, None]


def test_ann_file_is_required():
    with pytest.raises(ValueError, match='ann_file'):
        DetectionForgettingMetric()
