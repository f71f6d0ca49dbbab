"""The unlearning field's newer methods by hand: Boundary Expanding, DUCK,
SLUG, SCAR and LAF; labels rewritten for classifiers and detectors alike."""
import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F

import mmforget  # noqa: F401
from method_helpers import (attach, build_classifier, fake_context,
                            preprocess, random_batch)

FORGET = [False, False, False, True, True, True]
LABELS = [0, 3, 5, 8, 9, 8]


def batch(seed=0):
    return random_batch(FORGET, LABELS, seed=seed)


# --------------------------------------------------- Boundary Expanding
def test_boundary_expanding_trains_a_shadow_class_then_prunes_it():
    model = build_classifier()
    original = model.head.layers.head.weight.detach().clone()
    method, _ = attach(model, dict(type='mmforget.BoundaryExpanding'))
    layer = model.head.layers.head
    assert layer.out_features == 11 and layer.weight.requires_grad
    assert torch.equal(layer.weight[:10], original)
    data = preprocess(model, batch())
    losses = method.loss(model, data['inputs'], data['data_samples'])
    logits = model.head(model.extract_feat(data['inputs'][3:]))
    assert logits.shape[1] == 11
    expected = F.cross_entropy(logits, torch.full((3, ), 10))
    assert float(losses['loss_forget'].detach()) == pytest.approx(
        float(expected.detach()), rel=1e-6)
    with torch.no_grad():  # what training would do: every row moves
        layer.weight.add_(0.1)
    trained = layer.weight.detach().clone()
    method.finish_task(model)
    released = model.head.layers.head
    assert released.out_features == 10 == model.head.num_classes
    assert torch.equal(released.weight, trained[:10])
    assert model.head(model.extract_feat(data['inputs'])).shape == (6, 10)
    assert model.state_dict()['head.layers.head.weight'].shape[0] == 10


def test_boundary_expanding_needs_a_linear_head():
    from torch import nn

    from mmforget.methods import class_layer
    with pytest.raises(ValueError, match='linear classification head'):
        class_layer(nn.Sequential(nn.Linear(4, 3)), num_classes=10)


# ------------------------------------------------------------------ DUCK
def test_duck_pulls_forget_embeddings_to_the_nearest_kept_centroid():
    model = build_classifier()
    data = batch()
    loop = fake_context(batches=[data])
    method, _ = attach(model, dict(type='mmforget.DUCK', forget_weight=1.5,
                                   retain_weight=2.0, temperature=2.0), loop)
    processed = preprocess(model, data)
    inputs = processed['inputs']
    model.eval()
    with torch.no_grad():  # the kept classes with images: 0, 3, 5
        centroids = model.embed(inputs[:3])
    assert torch.allclose(method.centroids, centroids, atol=1e-6)
    losses = method.loss(model, inputs, processed['data_samples'])
    forget = F.normalize(model.embed(inputs[3:]), dim=1)
    cosine = forget @ F.normalize(centroids, dim=1).T
    expected_forget = 1.5 * (1 - cosine.max(dim=1).values).mean()
    expected_retain = 2.0 * F.cross_entropy(
        model.head(model.extract_feat(inputs[:3])) / 2.0,
        torch.tensor([0, 3, 5]))
    assert float(losses['loss_forget'].detach()) == pytest.approx(
        float(expected_forget.detach()), rel=1e-5)
    assert float(losses['loss_retain'].detach()) == pytest.approx(
        float(expected_retain.detach()), rel=1e-5)


# ------------------------------------------------------------------ SLUG
def test_pareto_front_keeps_the_undominated_layers_most_important_first():
    from mmforget.methods import pareto_front
    importance = dict(a=3.0, b=2.0, c=1.0, d=2.5, e=0.5)
    alignment = dict(a=0.9, b=0.1, c=0.05, d=0.95, e=0.05)
    # d: a is more important and less aligned; e: c ties on alignment and
    # is more important.
    assert pareto_front(importance, alignment) == ['a', 'b', 'c']


def test_step_search_doubles_then_bisects_towards_zero():
    from mmforget.methods import search_step
    tried = []

    def forget_score(step):  # forgotten once |s| reaches 0.3
        tried.append(step)
        return 0.0 if abs(step) >= 0.3 - 1e-12 else 50.0

    step, score, found = search_step(forget_score, -0.1, 6, 1.0)
    assert tried == pytest.approx([-0.1, -0.2, -0.4, -0.3, -0.25, -0.275])
    assert (step, score, found) == (pytest.approx(-0.3), 0.0, True)
    # Never reached: the lowest-scoring step.
    step, score, found = search_step(lambda s: 100 + s, -0.1, 4, 1.0)
    assert (step, found) == (pytest.approx(-0.8), False)


def per_class_scores(model, data):
    """What the loop's ``evaluate`` returns: per-class correct and total
    of the model's predictions on ``data``."""
    processed = preprocess(model, data)
    with torch.no_grad():
        preds = model.head(model.extract_feat(processed['inputs'])).argmax(1)
    labels = torch.tensor(LABELS)
    return dict(
        class_correct=torch.bincount(labels[preds == labels],
                                     minlength=10).tolist(),
        class_total=torch.bincount(labels, minlength=10).tolist())


def test_slug_moves_one_layer_along_the_forget_gradient():
    model = build_classifier()
    data = batch()
    loop = fake_context(batches=[data], max_epochs=0, has_val_split=True)
    calls = []

    def evaluate(split):
        calls.append(split)
        return per_class_scores(model, data)

    loop = dataclasses.replace(loop, evaluate=evaluate)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    # The forget gradient by hand: d(-CE) over the forget images, eval mode.
    model.eval()
    processed = preprocess(model, data)
    loss = -F.cross_entropy(
        model.head(model.extract_feat(processed['inputs'][3:])),
        torch.tensor([8, 9, 8]))
    from mmforget.methods.slug import layer_weights
    matrices = layer_weights(model)
    assert 'backbone.cls_token' not in matrices
    assert 'head.layers.head.weight' in matrices
    grads = dict(zip(matrices, torch.autograd.grad(
        loss, list(matrices.values()))))
    model.train()
    method, _ = attach(model, dict(type='mmforget.SLUG', max_layers=2,
                                   search_steps=5, forget_threshold=0.0),
                       loop)
    changed = [n for n, p in model.named_parameters()
               if not torch.equal(p, before[n])]
    edit = method.edit
    assert changed == [edit['layer']]
    assert torch.allclose(
        dict(model.named_parameters())[edit['layer']],
        before[edit['layer']] + edit['step'] * grads[edit['layer']],
        atol=1e-6)
    assert edit['step'] < 0 and set(calls) == {'val'}
    assert len(calls) <= 2 * (5 + 1)
    if edit['found']:
        scores = per_class_scores(model, data)
        assert sum(scores['class_correct'][c] for c in (8, 9)) == 0
    with pytest.raises(RuntimeError, match='max_epochs=0'):
        method.loss(model, processed['inputs'], processed['data_samples'])


def test_slug_refuses_training_epochs():
    model = build_classifier()
    loop = fake_context(max_epochs=3)
    with pytest.raises(ValueError, match='max_epochs=0'):
        attach(model, dict(type='mmforget.SLUG'), loop)


# ------------------------------------------------------------------ SCAR
def test_js_divergence_by_hand():
    from mmforget.methods import js_divergence
    p, q = [0.5, 0.5], [0.75, 0.25]
    m = [(a + b) / 2 for a, b in zip(p, q)]
    expected = 0.5 * sum(a * math.log(a / c) for a, c in zip(p, m)) + \
        0.5 * sum(b * math.log(b / c) for b, c in zip(q, m))
    got = js_divergence(torch.tensor([[0.0, 0.0]]),
                        torch.tensor([[math.log(3.0), 0.0]]))
    assert float(got) == pytest.approx(expected, rel=1e-6)
    logits = torch.randn(4, 5)
    assert float(js_divergence(logits, logits)) == pytest.approx(0, abs=1e-7)
    # The temperature divides both sides' logits.
    assert float(js_divergence(torch.tensor([[0.0, 0.0]]), torch.tensor(
        [[2 * math.log(3.0), 0.0]]), temperature=2.0)) == pytest.approx(
            expected, rel=1e-6)


def test_nearest_gaussian_under_shrunk_covariance():
    from mmforget.methods.scar import (class_gaussians,
                                       nearest_gaussian_distance)
    embeddings = torch.tensor([[0.0, 0.0], [0.0, 2.0], [3.0, 0.0],
                               [3.0, 2.0], [10.0, 10.0]])
    labels = torch.tensor([1, 1, 4, 4, 7])
    # Shrinkage 1: every covariance is tr(S)/d * I, S the pooled one.
    gaussians = class_gaussians(embeddings, labels, shrinkage=1.0)
    pooled = torch.cov(embeddings.T)
    scale = float(pooled.trace()) / 2
    assert sorted(gaussians) == [1, 4, 7]
    assert torch.allclose(gaussians[1][1], torch.eye(2) / scale)
    means = torch.stack([gaussians[c][0] for c in (1, 4)])
    precisions = torch.stack([gaussians[c][1] for c in (1, 4)])
    distance, nearest = nearest_gaussian_distance(
        torch.tensor([[1.0, 1.0], [2.5, 1.0]]), means, precisions)
    assert nearest.tolist() == [0, 1]
    assert distance.tolist() == pytest.approx(
        [1.0 / math.sqrt(scale), 0.5 / math.sqrt(scale)])


def test_scar_reads_no_retain_image_and_distills_on_surrogates():
    model = build_classifier()
    data = batch()
    loop = fake_context(batches=[data], run_seed=0)
    surrogate = dict(type='mmforget.HandwrittenNumbersDataset',
                     split='val', per_class=1,
                     pipeline=[dict(type='Resize', scale=(8, 8)),
                               dict(type='PackInputs')])
    method, _ = attach(model, dict(type='mmforget.SCAR', surrogate=surrogate,
                                   batch_size=16, distill_weight=2.0), loop)
    kept = set(range(8))
    assert method.means.shape == (len(method.precisions), 64)
    assert len(method.means) <= len(kept)
    processed = preprocess(model, data)
    inputs = processed['inputs'].clone()
    inputs[:3] = float('nan')  # the retain images: never read
    losses = method.loss(model, inputs, processed['data_samples'])
    assert all(torch.isfinite(v) for v in losses.values())
    # The model still equals its task-start copy: nothing to distill yet.
    assert float(losses['loss_distill'].detach()) == pytest.approx(0, abs=1e-6)
    with torch.no_grad():
        model.head.layers.head.weight.add_(torch.randn(10, 64))
    losses = method.loss(model, inputs, processed['data_samples'])
    assert float(losses['loss_distill'].detach()) > 1e-4


# ------------------------------------------------ labels, rewritten once
def test_new_labels_for_classifiers_and_detectors():
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    from mmpretrain.structures import DataSample

    from mmforget.methods.base import with_new_labels
    calls = []

    def plus_ten(labels):
        calls.append(labels.tolist())
        return labels + 10

    boxes = []
    for labels in ([1, 2], [3]):
        sample = DetDataSample()
        sample.gt_instances = InstanceData(
            labels=torch.tensor(labels), bboxes=torch.zeros(len(labels), 4))
        boxes.append(sample)
    new = with_new_labels(boxes, plus_ten)
    assert [s.gt_instances.labels.tolist() for s in new] == [[11, 12], [13]]
    assert [s.gt_instances.labels.tolist() for s in boxes] == [[1, 2], [3]]
    images = [DataSample().set_gt_label(4), DataSample().set_gt_label(6)]
    new = with_new_labels(images, plus_ten)
    assert [int(s.gt_label) for s in new] == [14, 16]
    assert calls == [[1, 2, 3], [4, 6]]  # one draw for the whole batch


# ------------------------------------------------------------------- LAF
def test_laf_losses_by_hand():
    from mmforget.methods import alignment_loss, unlearning_loss
    retain_errors, forget_errors = torch.tensor([1.0, 3.0]), torch.tensor(
        [0.0])
    assert float(unlearning_loss(retain_errors, forget_errors)) == \
        pytest.approx(math.exp(0.5) + math.exp(0.75) - 1)
    # cos = 1, 0 for the retain pairs; cos = 0, -1 for the forget pairs.
    retain = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    retain_reference = torch.tensor([[3.0, 0.0], [1.0, 0.0]])
    forget = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    forget_reference = torch.tensor([[0.0, 1.0], [-1.0, -1.0]])
    tau = 2.0
    expected = (0 + 1) - 2 * math.log(math.exp(1 / tau) + math.exp(2 / tau))
    assert float(alignment_loss(retain, retain_reference, forget,
                                forget_reference, tau)) == pytest.approx(
                                    expected, rel=1e-6)
    # Without forget images only the alignment of the kept ones is left.
    assert float(alignment_loss(retain, retain_reference, forget[:0],
                                forget_reference[:0], tau)) == \
        pytest.approx(1.0)


def test_laf_two_steps_train_the_extractor_and_never_the_head():
    from mmengine.optim import OptimWrapper
    model = build_classifier()
    data = batch()
    loop = fake_context(batches=[data], run_seed=0)
    cfg = dict(type='mmforget.LAF', latent=4, vae_epochs=3, tau=20.0,
               align_lr_ratio=5.0)
    method, _ = attach(model, cfg, loop)
    # The same task fits the same VAEs (what a resumed run relies on).
    again, _ = attach(build_classifier(), cfg, loop)
    for a, b in zip(method.forget_vae.parameters(),
                    again.forget_vae.parameters()):
        assert torch.equal(a, b)
    processed = preprocess(model, data)
    inputs, samples = processed['inputs'], processed['data_samples']
    # Unlearning step: by hand from the method's own VAEs.
    method.phase = 'unlearn'
    embeddings = model.embed(inputs)
    expected = (method.all_data_vae.reconstruction_error(embeddings[:3]) /
                (method.all_data_vae.reconstruction_error(embeddings[:3]) +
                 1)).exp().sum() - (
        method.forget_vae.reconstruction_error(embeddings[3:]) /
        (method.forget_vae.reconstruction_error(embeddings[3:]) + 1)
    ).exp().sum()
    got = method.loss(model, inputs, samples)['loss_unlearn']
    assert float(got.detach()) == pytest.approx(float(expected.detach()),
                                                rel=1e-5)
    # Alignment at the task start: every c is 0.
    method.phase = 'align'
    got = method.loss(model, inputs, samples)['loss_align']
    assert float(got) == pytest.approx(-3 * math.log(3), abs=1e-5)
    # One batch: two steps, the second at 5x the learning rate, then the
    # rate restored; the head never moves, the extractor does.
    rates, loss = [], method.loss

    def recording_loss(*args):
        rates.append((method.phase, optimizer.param_groups[0]['lr']))
        return loss(*args)

    method.loss = recording_loss
    head = model.head.layers.head.weight.detach().clone()
    blocks = model.backbone.layers[0].ffn.layers[1].weight.detach().clone()
    optimizer = torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.01)
    method.train_step(model, data, OptimWrapper(optimizer))
    assert rates == [('unlearn', 0.01), ('align', pytest.approx(0.05))]
    assert optimizer.param_groups[0]['lr'] == 0.01
    assert torch.equal(model.head.layers.head.weight, head)
    assert not torch.equal(model.backbone.layers[0].ffn.layers[1].weight,
                           blocks)
    # The reference is the task-start model, untouched by training.
    assert torch.equal(method.reference.backbone.layers[0].ffn.layers[1]
                       .weight, blocks)
