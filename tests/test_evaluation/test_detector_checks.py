"""The forgetting checks on a detector: every ground-truth box is a sample,
its feature the query Hungarian matching gives it, on a tiny random shapes
Deformable DETR and a few generated images."""
import copy
import json
from collections import Counter

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from conftest import call_tool
from detection_helpers import (SHAPES_CONFIG, build_forgetting_detr,
                               data_options, make_shapes, shapes_dataset)
from mmforget.evaluation.checks import (EmbeddedObjects, ForgettingEvaluator,
                                        LinearProbe, StandardReport)
from mmforget.evaluation.checks.detector_outputs import (box_classes,
                                                         choose_images)

CONFIG = 'configs/gs_lora/gs-lora_deformable-detr-tiny_shapes_continual.py'
RING = 4


@pytest.fixture(scope='module')
def shapes(tmp_path_factory):
    """Generated data, the test pipeline's datasets and a random detector,
    whose objects are embedded once."""
    root = make_shapes(tmp_path_factory.mktemp('shapes'), train=16, val=8)
    pipeline = Config.fromfile(SHAPES_CONFIG).test_pipeline
    train, test = (shapes_dataset(root, split, pipeline)
                   for split in ('train', 'val'))
    model = build_forgetting_detr()
    # More than the data has: every image is read, in dataset order.
    embedded = EmbeddedObjects(model, train, test, range(5), per_class=1000,
                               batch_size=4)
    return dict(root=root, train=train, test=test, model=model,
                embedded=embedded)


def all_boxes(dataset):
    return [c for i in range(len(dataset)) for c in box_classes(dataset, i)]


def test_every_box_is_one_object_of_its_class(shapes):
    for name in ('train', 'test'):
        dataset = shapes[name]
        feats, logits, labels = shapes['embedded'].objects[name]
        # 30 queries, a few boxes an image: each box gets exactly one, and
        # the objects are in the annotations' order.
        assert len(feats) == len(logits) == len(labels)
        assert labels.tolist() == all_boxes(dataset)


def test_features_are_the_matched_queries(shapes):
    model, dataset = shapes['model'], shapes['train']
    feats, logits, labels = shapes['embedded'].objects['train']
    assert model.training  # as it was: embedding it changed nothing
    with torch.no_grad():
        model.eval()
        data = model.data_preprocessor(
            pseudo_collate([dataset[0], dataset[1]]), False)
        outputs = model.head_outputs(model.extract_feat(data['inputs']),
                                     data['data_samples'])
        matched = model.matched_labels(outputs['cls_scores'][-1],
                                       outputs['bbox_preds'][-1],
                                       data['data_samples'])
        model.train()
    queries = torch.cat([outputs['queries'][i][matched[i] < 5]
                         for i in range(2)]).numpy()
    query_labels = torch.cat([m[m < 5] for m in matched]).numpy()
    n = sum(len(box_classes(dataset, i)) for i in (0, 1))
    assert len(queries) == n
    # The same queries, in the boxes' order rather than the queries'.
    distance = np.linalg.norm(feats[:n, None] - queries[None], axis=2)
    same = distance.argmin(1)
    assert sorted(same) == list(range(n)) and distance.min(1).max() < 1e-4
    assert labels[:n].tolist() == query_labels[same].tolist()
    # The logits are the last layer's class branch on those queries.
    outputs = shapes['embedded'].outputs([RING], [0, 1, 2, 3])
    np.testing.assert_allclose(outputs.head_logits(feats), logits, atol=1e-4)
    assert outputs.head_weight.shape == (5, 128)


def test_every_model_reads_the_same_objects_per_class_capped(shapes):
    other = copy.deepcopy(shapes['model'])
    with torch.no_grad():
        for param in other.decoder.parameters():
            param.add_(0.1 * torch.randn_like(param))
    classes, cap = [0, RING], 3
    mine, theirs = (EmbeddedObjects(model, shapes['train'], shapes['test'],
                                    classes, per_class=cap, batch_size=4)
                    for model in (shapes['model'], other))
    for name in ('train', 'test'):
        labels = mine.objects[name][2]
        assert np.array_equal(labels, theirs.objects[name][2])
        assert not np.allclose(mine.objects[name][0], theirs.objects[name][0])
        counts = Counter(labels.tolist())
        assert set(counts) <= set(classes)
        for c in classes:  # the cap, or every box where there are fewer
            assert counts[c] == min(cap, all_boxes(shapes[name]).count(c))
    assert choose_images(shapes['train'], [], 3) == []


def test_outputs_split_the_objects_by_class(shapes):
    outputs = shapes['embedded'].outputs([RING], [0, 1, 2, 3])
    for name in ('train', 'test'):
        forget, retain = outputs[f'forget_{name}'], outputs[f'retain_{name}']
        assert set(forget.labels) == {RING}
        assert RING not in set(retain.labels)
        assert len(forget.labels) + len(retain.labels) == len(
            shapes['embedded'].objects[name][2])
    assert outputs.forgotten == [RING]


def test_object_checks_run_on_a_detector(shapes):
    outputs = shapes['embedded'].outputs([RING], [0, 1, 2, 3])
    probe = LinearProbe(cs=(1.0,))(outputs)
    assert all(isinstance(probe[k], float) and 0 <= probe[k] <= 100
               for k in ('probe_acc_f', 'probe_acc_r'))
    report = StandardReport()(outputs)
    assert 0 <= report['ua'] <= 100 and 0 <= report['ta'] <= 100


def test_a_classifier_check_is_refused_on_a_detector(shapes):
    evaluator = ForgettingEvaluator([dict(type='mmforget.LinearProbe'),
                                     dict(type='mmforget.MIAEfficacy')])
    with pytest.raises(ValueError, match='MIAEfficacy cannot check a '
                       'detector.*Remove MIAEfficacy.*LinearProbe'):
        evaluator.embed(shapes['model'], [0, RING], cfg=None)
    # Without configured checks, a detector gets those that read objects.
    evaluator = ForgettingEvaluator()
    evaluator.use_checks_for('detector')
    assert {type(c).__name__ for c in evaluator.checks} == {
        'StandardReport', 'LinearProbe', 'KNNProbe'}


def test_evaluate_forgetting_on_a_detector_checkpoint(shapes, tmp_path):
    """The CLI reads a detector's task checkpoint (class ids in its meta)
    and the config's wrapped training set; U as its own reference and
    original: every gap 0."""
    checkpoint = str(tmp_path / 'task_0.pth')
    task = dict(task=0, forget=[RING], retain=[0, 1, 2, 3], old=[],
                missing=[])
    torch.save(dict(state_dict=shapes['model'].merged_state_dict(),
                    meta=dict(forgetting_task=task)), checkpoint)
    out = tmp_path / 'checks.json'
    code, log, err = call_tool(
        ['tools/evaluate_forgetting.py', CONFIG, checkpoint, '--original',
         checkpoint, '--reference', checkpoint, '--out', str(out),
         '--cfg-options']
        + data_options(shapes['root']))
    assert code == 0, (log + err)[-3000:]
    report = json.load(open(out))
    assert report['forgotten'] == [RING]
    results = report['results']
    assert set(results) == {'O', 'U', 'R'}
    assert results['U'] == results['R'] == results['O']
    assert {'ua', 'probe_acc_f', 'knn_acc_f'} <= set(results['U'])
    assert 'mia_efficacy' not in results['U']
    rows = {row['metric']: row for row in report['gap_card']}
    assert rows['probe_acc_f']['gap'] == 0
