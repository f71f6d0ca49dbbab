"""Fisher forgetting: the per-sample diagonal Fisher of the retain images,
noise of std sqrt(min(alpha / F, max_var)) from the task seed, no
training."""
import dataclasses
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

import mmforget  # noqa: F401
from method_helpers import (attach, build_classifier, fake_context,
                            preprocess, random_batch)
from mmforget.datasets import ForgettingSchedule
from mmforget.methods.fisher_forgetting import (FisherForgetting,
                                                diagonal_fisher, fisher_noise,
                                                fisher_noise_std)
from mmforget.registry import METHODS
from method_helpers import FakeDetector

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FORGET = (8, 9)


class SoftmaxRegression(torch.nn.Module):
    """Two classes, logits W x + b: the per-sample gradient of the CE is
    (p - e_y) x^T for W and p - e_y for b."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 2)
        with torch.no_grad():
            self.linear.weight.copy_(torch.tensor([[0.5, -1., 0.],
                                                   [0., 0.5, 1.]]))
            self.linear.bias.copy_(torch.tensor([0.1, -0.2]))

    def data_preprocessor(self, data, training):
        return dict(inputs=torch.stack(data['inputs']),
                    data_samples=data['data_samples'])

    def extract_feat(self, inputs):
        return (inputs, )

    def subset_loss(self, feats, data_samples, indices):
        labels = torch.cat([s.gt_label for s in data_samples])
        return F.cross_entropy(self.linear(feats[0][indices]),
                               labels[indices])


def constructed_batches():
    rows = [([1., 2., 0.], 0), ([0., -1., 3.], 1), ([2., 0., 1.], 1)]
    batch = dict(inputs=[torch.tensor(x) for x, _ in rows],
                 data_samples=[DataSample().set_gt_label(y) for _, y in rows])
    # The same samples again, split across two batches: the same mean.
    return [batch], [dict(inputs=batch['inputs'][:1],
                          data_samples=batch['data_samples'][:1]),
                     dict(inputs=batch['inputs'][1:],
                          data_samples=batch['data_samples'][1:])], rows


def fisher_by_hand(model, rows):
    weight, bias = model.linear.weight.detach(), model.linear.bias.detach()
    squares_w, squares_b = torch.zeros(2, 3), torch.zeros(2)
    for x, y in rows:
        x = torch.tensor(x)
        logits = [float(weight[k] @ x + bias[k]) for k in range(2)]
        total = sum(math.exp(v) for v in logits)
        residual = torch.tensor([math.exp(logits[k]) / total - (k == y)
                                 for k in range(2)])
        squares_w += torch.outer(residual, x).pow(2)
        squares_b += residual.pow(2)
    return dict(weight=squares_w / len(rows), bias=squares_b / len(rows))


def test_the_diagonal_fisher_of_a_tiny_model_computed_by_hand():
    model = SoftmaxRegression()
    one_batch, two_batches, rows = constructed_batches()
    expected = fisher_by_hand(model, rows)
    params = dict(model.linear.named_parameters())
    for batches in (one_batch, two_batches):
        fisher = diagonal_fisher(model, params, batches)
        assert torch.allclose(fisher['weight'], expected['weight'],
                              atol=1e-7)
        assert torch.allclose(fisher['bias'], expected['bias'], atol=1e-7)
    # Per sample, not per batch: the squared mean gradient is smaller.
    inputs = torch.stack(one_batch[0]['inputs'])
    mean_loss = model.subset_loss((inputs, ), one_batch[0]['data_samples'],
                                  torch.arange(3))
    batch_gradient = torch.autograd.grad(mean_loss, model.linear.bias)[0]
    assert (batch_gradient.pow(2) < expected['bias']).all()
    # max_samples: the first sample alone.
    first = diagonal_fisher(model, params, two_batches, max_samples=1)
    assert torch.allclose(first['bias'],
                          fisher_by_hand(model, rows[:1])['bias'], atol=1e-7)


def test_the_noise_std_is_sqrt_of_min_alpha_over_f_and_max_var():
    fisher = torch.tensor([0., 1e-12, 1e-6, 1., 4.])
    std = fisher_noise_std(fisher, alpha=1e-6, max_var=1e3)
    expected = [math.sqrt(1e3), math.sqrt(1e3), 1., 1e-3, 5e-4]
    assert std.tolist() == pytest.approx(expected, rel=1e-6)
    # A lower clamp caps more of them.
    std = fisher_noise_std(fisher, alpha=1e-6, max_var=0.25)
    assert std.tolist() == pytest.approx([0.5, 0.5, 0.5, 1e-3, 5e-4],
                                         rel=1e-6)


def test_the_noise_is_std_times_a_normal_draw_of_the_seed():
    fisher = dict(a=torch.tensor([[0., 1e-6], [1., 4.]]),
                  b=torch.tensor([1e-8]))
    noise = fisher_noise(fisher, 1e-6, 1e3, seed=11)
    generator = torch.Generator().manual_seed(11)
    for name, value in fisher.items():  # drawn in order, name by name
        eps = torch.randn(value.shape, generator=generator,
                          dtype=torch.float64)
        assert torch.allclose(noise[name],
                              (fisher_noise_std(value, 1e-6, 1e3) *
                               eps).float(), rtol=1e-6)
    again = fisher_noise(fisher, 1e-6, 1e3, seed=11)
    assert all(torch.equal(noise[n], again[n]) for n in fisher)
    other = fisher_noise(fisher, 1e-6, 1e3, seed=12)
    assert not torch.equal(noise['a'], other['a'])


def retain_batches():
    return [random_batch([False] * 6, [0, 1, 2, 3, 4, 5], seed=4),
            random_batch([True, False, False], [8, 6, 7], seed=5)]


def test_the_backbone_gets_the_noise_of_its_retain_fisher():
    model = build_classifier()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    context = fake_context(forget=FORGET, max_epochs=0,
                           batches=retain_batches())
    backbone = {n: p for n, p in model.named_parameters()
                if n.startswith('backbone.')}
    fisher = diagonal_fisher(model, backbone,
                             context.task_data_loader('retain'))
    assert all(f.shape == p.shape for f, p in zip(fisher.values(),
                                                  backbone.values()))
    expected = fisher_noise(fisher, 1e-6, 1e3, context.task_seed)
    method, _ = attach(model, dict(type='mmforget.FisherForgetting',
                                   max_var=1e3), context)
    for name, param in model.named_parameters():
        if name.startswith('head.'):
            assert torch.equal(param, before[name]), name
            assert not param.requires_grad
        else:
            assert torch.allclose(param - before[name], expected[name],
                                  atol=1e-5), name
            assert param.requires_grad
    # Something was clamped (weights the retain images never move) and
    # something was not.
    total = sum(f.numel() for f in fisher.values())
    assert 0 < method.clamped < total
    assert method.clamped == sum(int((1e-6 / f >= 1e3).sum())
                                 for f in fisher.values())


def test_noise_head_noises_the_head_too():
    model = build_classifier()
    head = model.head.layers.head.weight.detach().clone()
    attach(model, dict(type='mmforget.FisherForgetting', noise_head=True),
           fake_context(forget=FORGET, max_epochs=0,
                        batches=retain_batches()))
    assert not torch.equal(model.head.layers.head.weight, head)
    assert all(p.requires_grad for p in model.parameters())


def test_the_noise_is_reproducible_from_the_task_seed():
    schedule = ForgettingSchedule(class_names=[str(c) for c in range(10)],
                                  tasks=[['8', '9'], ['3']])
    context = fake_context(schedule=schedule, max_epochs=0,
                           batches=retain_batches())
    weights = []
    for index in (0, 0, 1):
        model = build_classifier()
        attach(model, dict(type='mmforget.FisherForgetting'),
               dataclasses.replace(context, task_index=index))
        weights.append(model.backbone.layers[0].ffn.layers[1].weight)
    assert torch.equal(weights[0], weights[1])
    assert not torch.equal(weights[0], weights[2])


def test_training_is_refused_before_anything_changes():
    model = build_classifier()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    with pytest.raises(ValueError, match=r'train_cfg\.max_epochs=0'):
        attach(model, dict(type='mmforget.FisherForgetting'),
               fake_context(forget=FORGET, max_epochs=2,
                            batches=retain_batches()))
    assert all(torch.equal(p, before[n])
               for n, p in model.named_parameters())
    method = FisherForgetting()
    data = preprocess(model, random_batch([True, False], [8, 0]))
    with pytest.raises(RuntimeError, match='max_epochs=0'):
        method.loss(model, data['inputs'], data['data_samples'])


def test_bad_settings_and_models_are_refused():
    for kwargs in (dict(alpha=0), dict(max_var=-1), dict(fisher_samples=0)):
        with pytest.raises(ValueError):
            FisherForgetting(**kwargs)
    with pytest.raises(TypeError, match='classifier'):
        FisherForgetting().check_model(FakeDetector())


def test_the_registry_and_the_configs_build_it():
    from mmengine.config import Config
    method = METHODS.build(dict(type='mmforget.FisherForgetting'))
    assert isinstance(method, FisherForgetting)
    assert (method.name, method.alpha, method.max_var) == (
        'Fisher forgetting', 1e-6, 1e-3)
    for config in ('fisher-forgetting_vit-tiny_digits_continual.py',
                   'fisher-forgetting_vit-6b_numbers_continual.py'):
        cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs',
                                       'fisher_forgetting', config))
        assert cfg.train_cfg.max_epochs == 0 and cfg.param_scheduler is None
        built = METHODS.build(cfg.train_cfg.method)
        assert (built.alpha, built.noise_head) == (1e-6, False)
