"""RMU: block l's tokens go to c u on the forget images and stay at the
frozen model's on the retain images; only the chosen blocks train."""
import copy
import dataclasses
import os.path as osp

import pytest
import torch

import mmforget  # noqa: F401
from method_helpers import (attach, build_classifier, fake_context,
                            preprocess, random_batch)
from mmforget.datasets import ForgettingSchedule
from mmforget.methods.rmu import (RMU, block_output, control_vector,
                                  rmu_loss)
from mmforget.registry import METHODS
from method_helpers import FakeDetector

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FORGET_FLAGS = [True, True, False, False, False]
LABELS = [8, 9, 0, 3, 5]


def tokens_by_hand(model, inputs, layer):
    """Block ``layer``'s output of mmpretrain's ViT, written out: patches,
    class token, position embedding, blocks 0..layer."""
    backbone = model.backbone
    x, _ = backbone.patch_embed(inputs)
    x = torch.cat([backbone.cls_token.expand(len(x), -1, -1), x], dim=1)
    x = backbone.pre_norm(x + backbone.pos_embed)
    for block in backbone.layers[:layer + 1]:
        x = block(x)
    return x


def test_rmu_loss_by_hand_on_a_small_case():
    forget = torch.tensor([[[1., 2.], [0., -1.]]])  # 1 image, 2 tokens, C 2
    retain = torch.tensor([[[3., 0.]], [[1., 1.]]])  # 2 images, 1 token
    frozen = torch.tensor([[[2., 0.]], [[1., -1.]]])
    control = torch.tensor([1., 0.])
    losses = rmu_loss(forget, retain, frozen, control, retain_weight=10.)
    # (1-1)^2 + (2-0)^2 + (0-1)^2 + (-1-0)^2 = 6 over 4 elements.
    assert losses['loss_forget'].item() == pytest.approx(6 / 4)
    # (3-2)^2 + 0 + 0 + (1+1)^2 = 5 over 4 elements, times 10.
    assert losses['loss_retain'].item() == pytest.approx(10 * 5 / 4)
    assert set(rmu_loss(forget, retain[:0], frozen[:0], control, 10.)) == {
        'loss_forget'}
    assert set(rmu_loss(None, retain, frozen, control, 10.)) == {
        'loss_retain'}


def test_the_control_vector_has_norm_c_and_comes_from_the_seed():
    vector = control_vector(seed=7, dims=64, scale=6.5)
    assert vector.shape == (64, )
    assert vector.norm().item() == pytest.approx(6.5, rel=1e-6)
    assert (vector >= 0).all()  # uniform draws on [0, 1), normalised
    assert torch.equal(vector, control_vector(7, 64, 6.5))
    assert not torch.allclose(vector, control_vector(8, 64, 6.5))


def test_the_loss_is_rmu_on_block_l_tokens_computed_by_hand():
    model = build_classifier()
    original = copy.deepcopy(model)
    method, context = attach(
        model, dict(type='mmforget.RMU', layer=2, steering_coeff=6.5,
                    retain_weight=100.), fake_context(forget=(8, 9)))
    data = preprocess(model, random_batch(FORGET_FLAGS, LABELS, seed=1))
    inputs, samples = data['inputs'], data['data_samples']
    # At the start of the task the model is the frozen copy: no retain term.
    losses = method.loss(model, inputs, samples)
    assert losses['loss_retain'].item() == pytest.approx(0, abs=1e-9)
    # Move a trained weight so that the retain term has something to read.
    with torch.no_grad():
        model.backbone.layers[1].ffn.layers[1].weight.add_(0.05)
    losses = method.loss(model, inputs, samples)
    with torch.no_grad():
        acts = tokens_by_hand(model, inputs, 2)
        frozen = tokens_by_hand(original, inputs, 2)
    assert torch.allclose(block_output(model, inputs, 2), acts, atol=1e-6)
    control = control_vector(context.task_seed, 64, 6.5)
    forget_term = (acts[:2] - control).pow(2).sum() / acts[:2].numel()
    retain_term = 100. * (acts[2:] - frozen[2:]).pow(2).sum() / \
        acts[2:].numel()
    assert losses['loss_forget'].item() == pytest.approx(
        forget_term.item(), rel=1e-5)
    assert losses['loss_retain'].item() == pytest.approx(
        retain_term.item(), rel=1e-4)
    assert retain_term > 0
    # A batch of retain images only: the retain term alone.
    assert set(method.loss(model, inputs[2:], samples[2:])) == {
        'loss_retain'}


def trained_blocks(model):
    return sorted({n for n, p in model.named_parameters() if p.requires_grad})


def test_only_the_chosen_blocks_train_and_the_frozen_copy_does_not():
    model = build_classifier()
    # A small retain weight: the raw-pixel test images give large tokens.
    method, _ = attach(model, dict(type='mmforget.RMU', layer=2,
                                   retain_weight=1.0))
    # Default: the FFNs of blocks l-2..l.
    assert trained_blocks(model) == sorted(
        f'backbone.layers.{b}.ffn.{p}' for b in (0, 1, 2) for p in (
            'layers.0.0.weight', 'layers.0.0.bias', 'layers.1.weight',
            'layers.1.bias'))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    frozen_before = {n: p.detach().clone()
                     for n, p in method.frozen_model.named_parameters()}
    assert not any(p.requires_grad
                   for p in method.frozen_model.parameters())
    data = preprocess(model, random_batch(FORGET_FLAGS, LABELS, seed=2))
    optimizer = torch.optim.Adam(
        [p for p in model.parameters() if p.requires_grad], lr=1e-2)
    forget_terms = []
    for _ in range(5):
        optimizer.zero_grad()
        losses = method.loss(model, data['inputs'], data['data_samples'])
        sum(losses.values()).backward()
        forget_terms.append(losses['loss_forget'].item())
        optimizer.step()
        assert all(p.grad is None for p in
                   method.frozen_model.parameters())
    assert forget_terms[-1] < forget_terms[0]
    after = dict(model.named_parameters())
    changed = sorted(n for n, old in before.items()
                     if not torch.equal(after[n], old))
    assert changed == trained_blocks(model)
    assert all(torch.equal(p, frozen_before[n])
               for n, p in method.frozen_model.named_parameters())
    # The frozen copy is the task's starting weights, let go at its end.
    assert all(torch.equal(frozen_before[n], before[n]) for n in before)
    method.finish_task(model)
    assert method.frozen_model is None


def test_which_blocks_train_is_configurable():
    model = build_classifier()
    attach(model, dict(type='mmforget.RMU', layer=-1))  # blocks 1..3
    assert {n.split('.')[2] for n in trained_blocks(model)} == {
        '1', '2', '3'}
    attach(model, dict(type='mmforget.RMU', layer=0))  # none below 0
    assert {n.split('.')[2] for n in trained_blocks(model)} == {'0'}
    attach(model, dict(type='mmforget.RMU', layer=3, trained_layers=[3],
                       trained_modules=['ffn.layers.1', 'attn']))
    assert trained_blocks(model) == sorted(
        f'backbone.layers.3.{p}' for p in (
            'ffn.layers.1.weight', 'ffn.layers.1.bias', 'attn.qkv.weight',
            'attn.qkv.bias', 'attn.proj.weight', 'attn.proj.bias'))


def test_bad_layers_and_models_are_refused_before_training():
    model = build_classifier()
    with pytest.raises(ValueError, match='would get no gradient'):
        RMU(layer=1, trained_layers=[1, 2]).check_model(model)
    with pytest.raises(ValueError, match='not a block'):
        RMU(layer=4).check_model(model)  # blocks 0..3
    with pytest.raises(ValueError, match='no parameter'):
        RMU(trained_modules=['mlp']).check_model(model)
    with pytest.raises(TypeError, match='classifier'):
        RMU().check_model(FakeDetector())
    with pytest.raises(TypeError, match='classifier'):
        RMU().check_model(torch.nn.Linear(2, 2))


def test_each_task_draws_its_own_control_vector_from_its_seed():
    schedule = ForgettingSchedule(class_names=[str(c) for c in range(10)],
                                  tasks=[['8', '9'], ['3']])
    context = fake_context(schedule=schedule)
    first, _ = attach(build_classifier(), dict(type='mmforget.RMU'), context)
    again, _ = attach(build_classifier(), dict(type='mmforget.RMU'), context)
    assert torch.equal(first.control, again.control)  # a resumed task
    model = build_classifier()
    second, _ = attach(model, dict(type='mmforget.RMU'), context)
    second.start_task(model, dataclasses.replace(context, task_index=1))
    assert not torch.allclose(first.control, second.control)
    assert second.control.norm().item() == pytest.approx(6.5, rel=1e-6)


def test_the_registry_and_the_configs_build_it():
    from mmengine.config import Config
    method = METHODS.build(dict(type='mmforget.RMU'))
    assert isinstance(method, RMU) and method.name == 'RMU'
    assert (method.steering_coeff, method.retain_weight) == (6.5, 1200.)
    for config, layer in (('rmu_vit-tiny_digits_continual.py', 2),
                          ('rmu_vit-6b_numbers_continual.py', 4)):
        cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'rmu', config))
        built = METHODS.build(cfg.train_cfg.method)
        assert built.layer == layer
        assert cfg.optim_wrapper.optimizer.lr == 5e-5
        assert cfg.model_wrapper_cfg.find_unused_parameters
