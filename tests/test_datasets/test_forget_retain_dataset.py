"""Per-task forget / retain splits built from any mmpretrain dataset."""
import numpy as np
import pytest

from mmforget.datasets import ForgetRetainDataset, forget_retain_collate

DIGITS = dict(type='mmforget.DigitsDataset', split='train',
              pipeline=[dict(type='PackInputs')])
SCHEDULE = dict(num_tasks=2, first_num_classes=8, forget_per_task=2)


def labels_of(dataset, indices):
    return set(dataset.labels[indices].tolist())


def test_splits_follow_the_schedule_and_the_data_ratio():
    full = ForgetRetainDataset(DIGITS, SCHEDULE)
    half = ForgetRetainDataset(DIGITS, SCHEDULE, data_ratio=0.5)
    assert labels_of(full, full.forget_indices) == {8, 9}
    assert labels_of(full, full.retain_indices) == set(range(8))
    assert len(half.forget_indices) == round(0.5 * len(full.forget_indices))
    assert set(half.forget_indices) <= set(full.forget_indices)
    full.set_task(1)
    assert labels_of(full, full.forget_indices) == {6, 7}
    assert labels_of(full, full.retain_indices) == set(range(6))
    assert len(full) == len(full.retain_indices)


def test_items_pair_a_retain_and_a_forget_sample_and_collate_flattens():
    dataset = ForgetRetainDataset(DIGITS, SCHEDULE, data_ratio=0.2)
    batch = forget_retain_collate([dataset[i] for i in range(3)])
    flags = [s.metainfo['forget'] for s in batch['data_samples']]
    assert flags == [False] * 3 + [True] * 3
    labels = [int(s.gt_label) for s in batch['data_samples']]
    assert all(label in (8, 9) for label in labels[3:])
    assert all(label < 8 for label in labels[:3])


def test_same_seed_same_subset():
    a = ForgetRetainDataset(DIGITS, SCHEDULE, data_ratio=0.3, seed=1)
    b = ForgetRetainDataset(DIGITS, SCHEDULE, data_ratio=0.3, seed=1)
    assert np.array_equal(a.retain_indices, b.retain_indices)


def test_missing_classes_get_no_training_sample():
    dataset = ForgetRetainDataset(
        DIGITS, dict(SCHEDULE, num_missing_classes=2))
    for task in range(2):
        dataset.set_task(task)
        assert not labels_of(dataset, dataset.retain_indices) & {0, 1}


def test_a_split_emptied_by_the_data_ratio_is_refused():
    with pytest.raises(ValueError, match='forget split is empty'):
        ForgetRetainDataset(DIGITS, SCHEDULE, data_ratio=0.001)


def test_few_shot_takes_exactly_n_per_class_seeded():
    dataset = ForgetRetainDataset(DIGITS, SCHEDULE, few_shot=4, seed=3)
    for task in range(2):
        dataset.set_task(task)
        for indices in (dataset.forget_indices, dataset.retain_indices):
            counts = np.bincount(dataset.labels[indices])
            assert set(counts[counts > 0].tolist()) == {4}
    again = ForgetRetainDataset(DIGITS, SCHEDULE, few_shot=4, seed=3)
    other = ForgetRetainDataset(DIGITS, SCHEDULE, few_shot=4, seed=4)
    again.set_task(1)
    other.set_task(1)
    assert np.array_equal(again.retain_indices, dataset.retain_indices)
    assert not np.array_equal(other.retain_indices, dataset.retain_indices)
    assert len(dataset.task_indices()) == 4 * 8


def test_few_shot_and_data_ratio_together_are_refused():
    with pytest.raises(ValueError, match='use one'):
        ForgetRetainDataset(DIGITS, SCHEDULE, few_shot=4, data_ratio=0.5)


def test_one_portrait_takes_one_image_per_forget_class_and_the_ratio_else():
    full = ForgetRetainDataset(DIGITS, SCHEDULE, data_ratio=0.5)
    portrait = ForgetRetainDataset(DIGITS, SCHEDULE, data_ratio=0.5,
                                   forget_shots=1)
    for task in range(2):
        full.set_task(task)
        portrait.set_task(task)
        counts = np.bincount(portrait.labels[portrait.forget_indices])
        assert counts[counts > 0].tolist() == [1, 1]
        assert np.array_equal(portrait.retain_indices, full.retain_indices)
    with pytest.raises(ValueError, match='forget_shots'):
        ForgetRetainDataset(DIGITS, SCHEDULE, few_shot=4, forget_shots=1)
    with pytest.raises(ValueError, match='forget_shots'):
        ForgetRetainDataset(DIGITS, SCHEDULE, forget_shots=0)


def test_epoch_length_full_repeats_the_kept_samples_to_the_dataset_size():
    """A Retrain whose steps match a training on every class: an epoch of
    task 1 (6 of 10 digits kept) has as many items as the whole split, and
    each kept sample is read as often as the others (within one)."""
    dataset = ForgetRetainDataset(DIGITS, SCHEDULE, epoch_length='full')
    dataset.use_forget_data = False
    dataset.set_task(1)
    assert len(dataset) == len(dataset.dataset)
    n = len(dataset.retain_indices)
    reads = np.bincount([i % n for i in range(len(dataset))], minlength=n)
    assert reads.max() - reads.min() <= 1
    assert reads.min() == len(dataset) // n and len(dataset) > 1.5 * n
    assert ForgetRetainDataset(DIGITS, SCHEDULE, epoch_length=7).__len__() \
        == 7
    for bad in (0, -3, 2.5, 'half', True):
        with pytest.raises(ValueError, match='epoch_length'):
            ForgetRetainDataset(DIGITS, SCHEDULE, epoch_length=bad)


def test_a_split_longer_than_an_epoch_is_read_in_windows_that_cover_it():
    """epoch_length 100 on task 0 (8 digits kept, hundreds of samples):
    epoch e reads items e*100..e*100+99 of one shuffled order, so every
    kept sample is read within ceil(n / 100) epochs, as often as any other
    (within one), every epoch mixes the kept digits, and two epochs read
    different samples. A split no longer than the epoch reads i mod n."""
    dataset = ForgetRetainDataset(DIGITS, SCHEDULE, epoch_length=100)
    with pytest.raises(ValueError, match='persistent_workers=False'):
        dataset.read_for(False, dict(num_workers=2, persistent_workers=True))
    dataset.read_for(False, dict(num_workers=2))
    indices = dataset.retain_indices
    n = len(indices)
    assert n > 300 and dataset.reads_windows()

    def epoch_reads(epoch):
        dataset.set_epoch(epoch)
        return [dataset._sample(indices, i, False) for i in range(100)]

    reads = [s for e in range(-(-n // 100)) for s in epoch_reads(e)]
    counts = np.bincount(np.searchsorted(indices, reads), minlength=n)
    assert counts.min() >= 1 and counts.max() - counts.min() <= 1
    first, second = epoch_reads(0), epoch_reads(1)
    assert not set(first) & set(second)
    assert len(set(labels_of(dataset, first))) == 8
    small = ForgetRetainDataset(DIGITS, SCHEDULE, epoch_length=5000)
    small.set_epoch(3)
    assert not small.reads_windows()
    assert [small._sample(small.retain_indices, i, False) for i in (0, n)] \
        == [int(small.retain_indices[0])] * 2
