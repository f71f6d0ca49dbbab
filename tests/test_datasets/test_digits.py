import pytest

from mmforget.datasets import DigitsDataset


def test_splits_are_disjoint_stratified_and_complete():
    members = {}
    for split in ('train', 'val', 'test'):
        dataset = DigitsDataset(split=split)
        members[split] = {dataset.get_data_info(i)['digits_index']
                          for i in range(len(dataset))}
        assert set(dataset.get_gt_labels().tolist()) == set(range(10))
    assert not members['train'] & members['val']
    assert not members['train'] & members['test']
    assert not members['val'] & members['test']
    assert set.union(*members.values()) == set(range(1797))
    assert 1070 <= len(members['train']) <= 1085


def test_same_seed_same_split_other_seed_other_split():
    a = DigitsDataset(split='test', split_seed=0)
    b = DigitsDataset(split='test', split_seed=0)
    c = DigitsDataset(split='test', split_seed=1)
    img = lambda d, i: d.get_data_info(i)['img']  # noqa: E731
    assert all((img(a, i) == img(b, i)).all() for i in range(len(a)))
    assert any((img(a, i) != img(c, i)).any() for i in range(len(a)))


def test_item_is_a_packed_8x8_grey_image():
    item = DigitsDataset(split='val', pipeline=[dict(type='PackInputs')])[0]
    assert tuple(item['inputs'].shape) == (1, 8, 8)
    assert 0 <= int(item['data_samples'].gt_label) < 10


def test_unknown_split_is_refused():
    with pytest.raises(ValueError, match='split must be one of'):
        DigitsDataset(split='training')
