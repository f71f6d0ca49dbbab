"""Which checks can decide anything: the original (O) against Retrain's
seed band, and the Residual |U - R| / |O - R|, on hand-computed values."""
import pytest

from mmforget.evaluation.checks.gap_card import (noise_band, residual,
                                                 separates)


def test_noise_band_is_two_sample_stds_of_retrain_seeds():
    # Values 70, 72, 74: mean 72, sample variance (4 + 0 + 4) / 2 = 4.
    assert noise_band([70.0, 72.0, 74.0]) == pytest.approx(4.0)
    assert noise_band([70.0, 72.0, 74.0], width=3) == pytest.approx(6.0)
    assert noise_band([70.0, None, 74.0]) == pytest.approx(2 * 8 ** 0.5)
    assert noise_band([70.0]) is None and noise_band([]) is None


def test_a_check_separates_only_beyond_the_band():
    retrain = [70.0, 72.0, 74.0]  # mean 72, band 4
    assert separates(87.7, retrain)       # the probe at task 3
    assert not separates(75.0, retrain)   # 3 points: noise
    assert not separates(68.5, retrain)   # below, within the band
    assert separates(67.0, retrain)       # below, outside
    # Every Retrain seed at 0 (Acc_f): any O above 0 separates.
    assert separates(89.1, [0.0, 0.0])
    assert not separates(0.0, [0.0, 0.0])
    assert separates(87.7, [72.0]) is None  # one seed: no band
    assert separates(None, retrain) is None


def test_a_minimum_gap_widens_a_band_that_few_seeds_make_too_narrow():
    # The prototype attack at task 0: Retrain 99.2 +- 0.3 over 3 seeds, O
    # 98.3, 0.9 points away: outside 2 std, inside a 5-point minimum gap.
    retrain = [98.9, 99.2, 99.5]          # mean 99.2, band 0.6
    assert separates(98.3, retrain)
    assert not separates(98.3, retrain, min_gap=5.0)
    assert separates(92.8, retrain, min_gap=5.0)     # 6.4 points
    assert not separates(75.0, [70.0, 72.0, 74.0], min_gap=2.0)  # band 4


def test_residual_counts_overshooting_retrain():
    assert residual(90.0, 90.0, 70.0) == 1.0     # hidden: U = O
    assert residual(90.0, 70.0, 70.0) == 0.0     # gone: U = R
    assert residual(90.0, 75.0, 70.0) == 0.25
    assert residual(90.0, 65.0, 70.0) == 0.25    # 5 below R counts too
    assert residual(90.0, 10.0, 70.0) == 3.0     # far below R: not clipped
    assert residual(70.0, 60.0, 70.0) is None    # O = R: undecidable
    assert residual(None, 60.0, 70.0) is None


def test_every_training_image_of_the_forgotten_classes_is_read():
    """MIA-Efficacy's protocol labels every forget-class training image:
    the per-class cap applies to the other classes only."""
    import numpy as np

    from mmforget.datasets import DigitsDataset
    from mmforget.evaluation.checks.outputs import split_indices
    train = DigitsDataset(split='train', pipeline=[])
    labels = np.asarray([train.get_data_info(i)['gt_label']
                         for i in range(len(train))])
    chosen = split_indices(train, range(10), per_class=20, every_of=[3, 7])
    counts = np.bincount(labels[chosen], minlength=10)
    assert counts[3] == np.sum(labels == 3) > 20
    assert counts[7] == np.sum(labels == 7) > 20
    assert all(counts[c] == 20 for c in range(10) if c not in (3, 7))
    # The capped classes are the same images as without the full classes.
    capped = split_indices(train, range(10), per_class=20)
    assert set(capped[~np.isin(labels[capped], [3, 7])]) == set(
        chosen[~np.isin(labels[chosen], [3, 7])])
