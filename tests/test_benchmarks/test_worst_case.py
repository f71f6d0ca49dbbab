"""Challenging Forgets' class selection: the projection onto the budget by
hand, and on a constructed case the classes that stay easy to recognise
when left out of the lower level are the ones picked."""
import pytest
import torch

from mmforget.benchmarks.worst_case import (lowest_loss_classes,
                                            project_to_budget, spearman,
                                            worst_case_classes)


def test_the_projection_by_hand():
    # mu = 0.35: [0.55, 0.45, 0] sums to 1.
    projected = project_to_budget(torch.tensor([0.9, 0.8, 0.1],
                                               dtype=torch.float64), 1)
    assert projected.tolist() == pytest.approx([0.55, 0.45, 0.0], abs=1e-4)
    # Values beyond [0, 1] are clipped after the shift.
    projected = project_to_budget(torch.tensor([3.0, -1.0, 0.5, 0.5],
                                               dtype=torch.float64), 2)
    assert projected.tolist() == pytest.approx([1.0, 0.0, 0.5, 0.5],
                                               abs=1e-4)


def constructed_case():
    """Classes 0 and 1 far apart and confidently read; 2 and 3 on top of
    each other."""
    torch.manual_seed(0)
    centres = torch.tensor([[10., 0.], [0., 10.], [-1., -1.], [-1.1, -0.9]])
    labels = torch.arange(4).repeat_interleave(25)
    feats = centres[labels] + 0.1 * torch.randn(100, 2)
    weight = torch.nn.functional.normalize(centres, dim=1) * 2
    return feats, labels, weight, torch.zeros(4)


def test_the_classes_hardest_to_forget_are_the_well_separated_ones():
    feats, labels, weight, bias = constructed_case()
    proxy, loss = lowest_loss_classes(feats, labels, weight, bias, 2)
    assert sorted(proxy) == [0, 1]
    assert loss[2] > loss[0] and loss[3] > loss[1]
    for seed in (0, 1, 2):  # whatever the random start
        picked, w = worst_case_classes(feats, labels, weight, bias, 2,
                                       iterations=10, seed=seed)
        assert sorted(picked) == [0, 1], seed
        assert float(w.sum()) == pytest.approx(2, abs=1e-4)
    with pytest.raises(ValueError, match='budget'):
        worst_case_classes(feats, labels, weight, bias, 4)


def test_spearman_by_hand():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1)
    # ranks [0, 1, 2, 3] vs [1, 0, 2, 3]: 1 - 6 * 2 / (4 * 15) = 0.8
    assert spearman([1, 2, 3, 4], [2, 1, 3, 4]) == pytest.approx(0.8)
