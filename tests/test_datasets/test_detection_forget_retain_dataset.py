"""Detection forget / retain image sets: which images, which boxes."""
import pytest

from detection_helpers import make_shapes, shapes_dataset
from mmforget.datasets import (DetectionForgetRetainDataset,
                               forget_retain_collate)

RING, TRIANGLE = 4, 2
SCHEDULE = dict(tasks=[['ring'], ['triangle']])


@pytest.fixture(scope='module')
def shapes(tmp_path_factory):
    return make_shapes(tmp_path_factory.mktemp('shapes'), train=40, val=4)


def labels_of(item):
    return item['data_samples'].gt_instances.labels.tolist()


def test_splits_keep_only_their_classes_boxes(shapes):
    dataset = shapes_dataset(shapes)
    wrapper = DetectionForgetRetainDataset(dataset, SCHEDULE, forget_rate=1,
                                           mem_rate=1)
    shown = [wrapper.image_classes[i] for i in range(len(dataset))]
    # Task 0: forget images are exactly those showing a ring.
    assert wrapper.forget_indices.tolist() == [
        i for i, s in enumerate(shown) if RING in s]
    assert wrapper.retain_indices.tolist() == [
        i for i, s in enumerate(shown) if s - {RING}]
    for k in range(len(wrapper)):
        item = wrapper[k]
        forget, retain = item['forget'], item['retain']
        assert forget['data_samples'].metainfo['forget'] is True
        assert retain['data_samples'].metainfo['forget'] is False
        assert set(labels_of(forget)) == {RING}
        assert RING not in labels_of(retain) and labels_of(retain)
        # Every box of the kept classes is still there.
        index = int(wrapper.forget_indices[k % len(wrapper.forget_indices)])
        rings = [i for i in dataset.get_data_info(index)['instances']
                 if i['bbox_label'] == RING]
        assert len(labels_of(forget)) == len(rings)
    # Task 1: the ring (forgotten before) is background in both splits.
    wrapper.set_task(1)
    for k in range(len(wrapper)):
        item = wrapper[k]
        assert set(labels_of(item['forget'])) == {TRIANGLE}
        assert not {RING, TRIANGLE} & set(labels_of(item['retain']))
    batch = forget_retain_collate([wrapper[0], wrapper[1]])
    assert [s.metainfo['forget'] for s in batch['data_samples']] == [
        False, False, True, True]


def test_rates_and_few_shot(shapes):
    dataset = shapes_dataset(shapes)
    full = DetectionForgetRetainDataset(dataset, SCHEDULE, forget_rate=1,
                                        mem_rate=1)
    part = DetectionForgetRetainDataset(dataset, SCHEDULE, forget_rate=0.5,
                                        mem_rate=0.25, seed=1)
    assert len(part.forget_indices) == round(0.5 * len(full.forget_indices))
    assert len(part.retain_indices) == round(0.25 * len(full.retain_indices))
    assert set(part.forget_indices) <= set(full.forget_indices)
    few = DetectionForgetRetainDataset(dataset, SCHEDULE, few_shot=2)
    for c in (0, 1, 2, 3):  # every retained class is shown at least twice
        assert sum(c in few.image_classes[i]
                   for i in few.retain_indices) >= 2
    assert 2 <= len(few.forget_indices) and \
        all(RING in few.image_classes[i] for i in few.forget_indices)


def test_bad_input_is_named(shapes):
    dataset = shapes_dataset(shapes)
    with pytest.raises(ValueError, match='mem_rate'):
        DetectionForgetRetainDataset(dataset, SCHEDULE, mem_rate=0)
    with pytest.raises(ValueError, match='few_shot=1000'):
        DetectionForgetRetainDataset(dataset, SCHEDULE, few_shot=1000)
    with pytest.raises(ValueError, match="'hexagon' is not in the dataset"):
        DetectionForgetRetainDataset(dataset, dict(tasks=[['hexagon']]))
