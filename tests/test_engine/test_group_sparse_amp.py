"""The group-sparse penalty and proximal step under mmengine's AMP.

mmengine's ``AmpOptimWrapper`` only starts on an accelerator; here it runs on
CPU with torch's CPU loss scaler, which has the same scale/unscale/skip logic,
and with bf16 autocast, the mixed precision mmengine offers on CPU.
"""
import argparse
import functools
import importlib.util
import math
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper
from mmengine.optim.optimizer import amp_optimizer_wrapper

import mmforget.engine.optim_wrappers  # noqa: F401
from mmforget.lora import inject_lora
from test_group_sparse import ToyLoRAModel, zero_data_loss

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture
def cpu_amp(monkeypatch):
    monkeypatch.setattr(amp_optimizer_wrapper, 'is_cuda_available',
                        lambda: True)
    monkeypatch.setattr(amp_optimizer_wrapper, 'GradScaler',
                        functools.partial(torch.amp.GradScaler, 'cpu'))


def build_amp(model, lr=1.0,
              loss_scale=dict(init_scale=1024.0, growth_interval=1000),
              **kwargs):
    MessageHub.get_current_instance().update_info('epoch', 0)
    return build_optim_wrapper(model, dict(
        type='mmforget.AmpGroupSparseOptimWrapper',
        constructor='mmforget.GroupSparseOptimWrapperConstructor',
        optimizer=dict(type='SGD', lr=lr), loss_scale=loss_scale, **kwargs))


def test_subgradient_step_is_the_fp32_step_under_loss_scaling(cpu_amp):
    model = ToyLoRAModel()
    wrapper = build_amp(model, lr=0.5, alpha=0.1, mode='subgradient')
    wrapper.update_params(zero_data_loss(model))
    # As in fp32: theta <- theta - lr * alpha * theta / ||theta_g||; the
    # 1024 loss scale is undone before the step.
    torch.testing.assert_close(
        model.block0.lora_A.data, torch.tensor([[3 - 0.05 * 3 / 5, 0.0]]))
    torch.testing.assert_close(
        model.block1.lora_B.data, torch.tensor([[0.0], [0.4 - 0.05 * 0.4 /
                                                        0.5]]))
    assert wrapper.loss_scaler.get_scale() == 1024.0


def test_proximal_step_after_the_unscaled_step(cpu_amp):
    model = ToyLoRAModel()
    wrapper = build_amp(model, lr=1.0, alpha=1.0, mode='proximal')
    loss = model.block0.lora_A[0, 0] * 2.0  # gradient 2 on A[0, 0]
    wrapper.update_params(loss)
    # SGD: A[0, 0] = 3 - 2 = 1, so group 0 = (1, 0, 0, 4), norm sqrt(17);
    # then the shrink by 1 - lr * alpha / norm. Group 1 (norm 0.5) -> 0.
    scale = 1 - 1 / math.sqrt(17)
    torch.testing.assert_close(model.block0.lora_A.data,
                               torch.tensor([[scale, 0.0]]))
    torch.testing.assert_close(model.block0.lora_B.data,
                               torch.tensor([[0.0], [4 * scale]]))
    assert float(model.block1.lora_A.detach().abs().sum()) == 0.0


def test_overflowing_step_is_skipped_with_its_shrink(cpu_amp):
    model = ToyLoRAModel()
    wrapper = build_amp(model, lr=1.0, alpha=1.0, mode='proximal')
    before = [p.detach().clone() for p in model.parameters()]
    # An fp16 overflow: infinite gradients.
    wrapper.update_params(model.block0.lora_A.sum() * float('inf'))
    for old, new in zip(before, model.parameters()):
        assert torch.equal(old, new.detach())
    assert wrapper.loss_scaler.get_scale() == 512.0  # halved
    wrapper.update_params(zero_data_loss(model))  # finite again: shrinks
    torch.testing.assert_close(model.block0.lora_A.data,
                               torch.tensor([[2.4, 0.0]]))


def test_bf16_autocast_forward_and_fp32_penalty(cpu_amp):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    model.lora_groups = inject_lora(model, [r'(0|2)'], rank=2)
    for name, param in model.named_parameters():
        if 'lora_B' in name:
            nn.init.normal_(param, std=0.1)
    wrapper = build_amp(model, lr=0.1, alpha=0.01, mode='subgradient',
                        loss_scale='dynamic', dtype='bfloat16')
    lora_before = {n: p.detach().clone() for n, p in model.named_parameters()}
    with wrapper.optim_context(model):
        out = model(torch.randn(5, 8))
    assert out.dtype == torch.bfloat16
    assert wrapper.structure_loss().dtype == torch.float32
    wrapper.update_params(out.float().pow(2).mean())
    for name, param in model.named_parameters():
        assert param.dtype == torch.float32  # master weights stay fp32
        moved = not torch.equal(lora_before[name], param.detach())
        assert moved == ('lora_' in name)


def load_train_tool():
    spec = importlib.util.spec_from_file_location(
        'train_tool', osp.join(REPO_ROOT, 'tools/train.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def amp_args(config):
    return argparse.Namespace(
        config=config, launcher='none', work_dir='/tmp/unused',
        no_validate=False, amp=True, resume=None, auto_scale_lr=False,
        cfg_options=None)


def test_amp_flag_picks_the_group_sparse_amp_wrapper():
    train = load_train_tool()
    config = osp.join(REPO_ROOT,
                      'configs/gs_lora/gs-lora_vit-tiny_digits_continual.py')
    cfg = train.merge_args(Config.fromfile(config), amp_args(config))
    assert cfg.optim_wrapper.type == 'mmforget.AmpGroupSparseOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    plain = Config.fromfile(config).optim_wrapper
    assert cfg.optim_wrapper.alpha == plain.alpha  # the penalty is kept
    cfg.optim_wrapper.type = 'mmforget.SomeOtherWrapper'
    with pytest.raises(ValueError, match='no mixed-precision variant'):
        train.merge_args(cfg, amp_args(config))
