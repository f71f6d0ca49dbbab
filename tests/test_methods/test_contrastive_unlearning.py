"""Contrastive Unlearning's loss by hand: the pull towards the kept images,
the push from the forget image's own class, the retain term."""
import math

import pytest
import torch
import torch.nn.functional as F

import mmforget  # noqa: F401
from method_helpers import attach, build_classifier, preprocess, random_batch


def test_forget_term_on_unit_vectors_by_hand():
    from mmforget.methods.contrastive_unlearning import \
        contrastive_forget_loss
    forget = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    labels = torch.tensor([8, 8, 9])  # anchors 0 and 1 share a class
    retain = torch.tensor([[1.0, 0.0], [0.0, -1.0]])
    temperature = 0.5
    # Anchor 0 (1, 0): pull mean(1, 0) / T = 1; push log exp(0 / T) = 0.
    # Anchor 1 (0, 1): pull mean(0, -1) / T = -1; push log exp(0) = 0.
    # Anchor 2 (1, 0): pull 1; no other image of class 9: no push.
    expected = ((0 - 1) + (0 + 1) + (-1)) / 3
    loss = contrastive_forget_loss(forget, labels, retain, temperature)
    assert float(loss) == pytest.approx(expected)
    # Two negatives: the push is the log-sum-exp of their similarities.
    forget = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    labels = torch.tensor([8, 8, 8])
    retain = torch.tensor([[1.0, 0.0]])
    s = 1 / math.sqrt(2)
    pushes = [math.log(math.exp(s / 0.5) + math.exp(0.0)),
              math.log(math.exp(s / 0.5) + math.exp(s / 0.5)),
              math.log(math.exp(0.0) + math.exp(s / 0.5))]
    pulls = [1 / 0.5, s / 0.5, 0.0]
    expected = sum(p - q for p, q in zip(pushes, pulls)) / 3
    assert float(contrastive_forget_loss(forget, labels, retain, 0.5)) == \
        pytest.approx(expected, rel=1e-6)


def test_retain_embeddings_are_targets_not_trained_by_the_forget_term():
    from mmforget.methods.contrastive_unlearning import \
        contrastive_forget_loss
    forget = torch.randn(4, 3, requires_grad=True)
    retain = torch.randn(5, 3, requires_grad=True)
    contrastive_forget_loss(forget, torch.tensor([1, 1, 2, 2]), retain,
                            0.1).backward()
    assert retain.grad is None and forget.grad.abs().sum() > 0


def test_loss_of_a_batch_is_the_retain_ce_plus_the_weighted_forget_term():
    from mmforget.methods.contrastive_unlearning import \
        contrastive_forget_loss
    model = build_classifier()
    method, _ = attach(model, dict(type='mmforget.ContrastiveUnlearning',
                                   forget_weight=0.3, temperature=0.2))
    assert all(p.requires_grad for p in model.parameters())  # head too
    data = preprocess(model, random_batch(
        [False, False, False, True, True, True], [0, 3, 5, 8, 9, 8]))
    inputs = data['inputs']
    model.eval()  # no drop path: the same features twice
    losses = method.loss(model, inputs, data['data_samples'])
    embeddings = model.embed(inputs)
    expected_forget = 0.3 * contrastive_forget_loss(
        embeddings[3:], torch.tensor([8, 9, 8]), embeddings[:3], 0.2)
    expected_retain = F.cross_entropy(
        model.head(model.extract_feat(inputs[:3])), torch.tensor([0, 3, 5]))
    assert float(losses['loss_forget'].detach()) == pytest.approx(
        float(expected_forget.detach()), rel=1e-5)
    assert float(losses['loss_retain'].detach()) == pytest.approx(
        float(expected_retain.detach()), rel=1e-5)
    # Forget images alone: no positive, a zero that still reaches the model.
    data = preprocess(model, random_batch([True, True], [8, 9]))
    losses = method.loss(model, data['inputs'], data['data_samples'])
    assert set(losses) == {'loss_forget'} and float(losses['loss_forget'].detach()) == 0


def test_bad_settings_and_the_checks_it_trains_against():
    from mmforget.methods.contrastive_unlearning import ContrastiveUnlearning
    with pytest.raises(ValueError, match='temperature'):
        ContrastiveUnlearning(temperature=0)
    with pytest.raises(ValueError, match='forget_weight'):
        ContrastiveUnlearning(forget_weight=-1)
    marked = ContrastiveUnlearning.trains_against
    for check in ('probe_acc_f', 'mlp_probe_acc_f', 'knn_acc_f',
                  'proto_acc_f'):
        assert check.startswith(marked)
    for check in ('relearn_full_acc_f_100', 'block3_knn_acc_f',
                  'class_mia_loss_auc'):
        assert not check.startswith(marked)
