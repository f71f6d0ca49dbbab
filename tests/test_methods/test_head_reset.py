"""Head reset: the forgotten rows of the head are ``value``, nothing else
moves, nothing trains."""
import dataclasses
import os.path as osp

import pytest
import torch

import mmforget  # noqa: F401
from method_helpers import (attach, build_classifier, fake_context,
                            preprocess, random_batch)
from mmforget.datasets import ForgettingSchedule
from mmforget.methods.head_reset import HeadReset
from mmforget.registry import METHODS

FORGET = (8, 9)
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def training_free_context(**fields):
    return fake_context(forget=FORGET, max_epochs=0, **fields)


def snapshot(model):
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def head_layer(model):
    return model.head.layers.head  # the digits ViT's only head linear


def test_forgotten_rows_are_value_and_every_other_weight_is_untouched():
    for value in (0.0, -3.5):
        model = build_classifier()
        before = snapshot(model)
        attach(model, dict(type='mmforget.HeadReset', value=value),
               training_free_context())
        layer = head_layer(model)
        assert (layer.weight[list(FORGET)] == value).all()
        assert (layer.bias[list(FORGET)] == value).all()
        kept = [c for c in range(10) if c not in FORGET]
        after = dict(model.named_parameters())
        for name, old in before.items():
            if name in ('head.layers.head.weight', 'head.layers.head.bias'):
                assert torch.equal(after[name][kept], old[kept]), name
            else:
                assert torch.equal(after[name], old), name
        # the random head had non-zero rows there: the reset did something
        assert not (before['head.layers.head.weight'][list(FORGET)]
                    == value).any()


def test_forgotten_logits_are_the_bias_value_and_never_win():
    model = build_classifier()
    data = preprocess(model, random_batch([False] * 16, [0] * 16, seed=3))
    model.eval()
    with torch.no_grad():
        original = model.logits(model.extract_feat(data['inputs']))
    attach(model, dict(type='mmforget.HeadReset'), training_free_context())
    model.eval()
    with torch.no_grad():
        logits = model.logits(model.extract_feat(data['inputs']))
    # By hand: a row of zeros . x + a zero bias = 0, whatever x is.
    assert torch.equal(logits[:, list(FORGET)],
                       torch.zeros(len(logits), len(FORGET)))
    kept = [c for c in range(10) if c not in FORGET]
    assert torch.equal(logits[:, kept], original[:, kept])
    # Wherever another class scores above 0, no forgotten class is predicted
    # (and the random head gives every image such a class here).
    positive = logits[:, kept].max(1).values > 0
    assert positive.all()
    assert not any(int(c) in FORGET for c in logits.argmax(1)[positive])


def test_a_later_task_resets_its_rows_and_earlier_rows_stay():
    model = build_classifier()
    schedule = ForgettingSchedule(class_names=[str(c) for c in range(10)],
                                  tasks=[['8', '9'], ['3']])
    context = fake_context(schedule=schedule, max_epochs=0)
    method, _ = attach(model, dict(type='mmforget.HeadReset', value=-1.0),
                       context)
    before = snapshot(model)
    method.start_task(model, dataclasses.replace(context, task_index=1))
    assert method.task_index == 1
    weight, bias = head_layer(model).weight, head_layer(model).bias
    assert (weight[[3, 8, 9]] == -1.0).all()
    assert (bias[[3, 8, 9]] == -1.0).all()
    others = [0, 1, 2, 4, 5, 6, 7]
    assert torch.equal(weight[others],
                       before['head.layers.head.weight'][others])
    method.finish_task(model)  # plain weights already: nothing to merge
    assert torch.equal(head_layer(model).weight, weight)


def test_training_is_refused_before_anything_changes():
    model = build_classifier()
    before = snapshot(model)
    with pytest.raises(ValueError, match=r'train_cfg\.max_epochs=0'):
        attach(model, dict(type='mmforget.HeadReset'),
               fake_context(forget=FORGET, max_epochs=3))
    after = dict(model.named_parameters())
    assert all(torch.equal(after[n], p) for n, p in before.items())


def test_nothing_trains_and_there_is_no_loss():
    model = build_classifier()
    method, _ = attach(model, dict(type='mmforget.HeadReset'),
                       training_free_context())
    assert not any(p.requires_grad for p in model.parameters())
    assert not any(method.is_trainable(n) for n, _ in
                   model.named_parameters())
    data = preprocess(model, random_batch([True, False], [8, 0]))
    with pytest.raises(RuntimeError, match='max_epochs=0'):
        method.loss(model, data['inputs'], data['data_samples'])


def test_models_that_are_not_forgetting_models_are_refused():
    method = HeadReset()
    with pytest.raises(TypeError, match='classifier and detector'):
        method.check_model(torch.nn.Linear(2, 2))
    # A classifier without a linear layer scoring its classes.
    model = build_classifier()
    model.head.layers.head = torch.nn.Identity()
    with pytest.raises(TypeError, match='no nn.Linear with 10 outputs'):
        method.check_model(model)


def test_the_registry_and_the_digits_config_build_it():
    from mmengine.config import Config
    method = METHODS.build(dict(type='mmforget.HeadReset', value=-2))
    assert isinstance(method, HeadReset)
    assert (method.name, method.value, method.bias) == ('Head reset', -2.0,
                                                        -2.0)
    assert method.model_kinds == ('classifier', 'detector')
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs', 'head_reset',
        'head-reset_vit-tiny_digits_continual.py'))
    assert cfg.train_cfg.max_epochs == 0 and cfg.param_scheduler is None
    assert METHODS.build(cfg.train_cfg.method).value == 0.0
