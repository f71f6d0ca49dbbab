"""The group-lasso subgradient and the proximal step, by hand."""
from collections import OrderedDict

import pytest
import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper

import mmforget.engine.optim_wrappers  # noqa: F401


class Adapter(nn.Module):

    def __init__(self, a, b):
        super().__init__()
        self.lora_A = nn.Parameter(torch.tensor(a))
        self.lora_B = nn.Parameter(torch.tensor(b))


class ToyLoRAModel(nn.Module):
    """Group '0' has norm 5 (A=[[3,0]], B=[[0],[4]]), group '1' norm 0.5."""

    def __init__(self):
        super().__init__()
        self.block0 = Adapter([[3.0, 0.0]], [[0.0], [4.0]])
        self.block1 = Adapter([[0.3, 0.0]], [[0.0], [0.4]])
        self.frozen = nn.Parameter(torch.ones(2), requires_grad=False)
        self.lora_groups = OrderedDict(
            [('0', [self.block0]), ('1', [self.block1])])


def build(model, lr=1.0, **kwargs):
    MessageHub.get_current_instance().update_info('epoch', 0)
    return build_optim_wrapper(model, dict(
        type='mmforget.GroupSparseOptimWrapper',
        constructor='mmforget.GroupSparseOptimWrapperConstructor',
        optimizer=dict(type='SGD', lr=lr), **kwargs))


def zero_data_loss(model):
    return sum(p.sum() for p in model.parameters() if p.requires_grad) * 0


def test_constructor_makes_one_param_group_per_sparse_group():
    model = ToyLoRAModel()
    wrapper = build(model, alpha=0.1)
    groups = wrapper.optimizer.param_groups
    assert [g['sparse_group'] for g in groups] == ['0', '1']
    assert all(g['lr'] == 1.0 for g in groups)
    assert all(p is not model.frozen for g in groups for p in g['params'])
    assert wrapper.group_norms() == pytest.approx({'0': 5.0, '1': 0.5})


def test_subgradient_step_matches_hand_computed_values():
    model = ToyLoRAModel()
    wrapper = build(model, lr=0.5, alpha=0.1, mode='subgradient')
    wrapper.update_params(zero_data_loss(model))
    # theta <- theta - lr * alpha * theta / ||theta_g||
    torch.testing.assert_close(
        model.block0.lora_A.data, torch.tensor([[3 - 0.05 * 3 / 5, 0.0]]))
    torch.testing.assert_close(
        model.block0.lora_B.data, torch.tensor([[0.0], [4 - 0.05 * 4 / 5]]))
    torch.testing.assert_close(
        model.block1.lora_A.data, torch.tensor([[0.3 - 0.05 * 0.3 / 0.5,
                                                 0.0]]))


def test_proximal_step_shrinks_and_zeroes_groups():
    model = ToyLoRAModel()
    wrapper = build(model, lr=1.0, alpha=1.0, mode='proximal')
    assert wrapper.zero_group_ratio() == 0.0
    wrapper.update_params(zero_data_loss(model))
    # Norm 5, lr*alpha 1: scaled by 1 - 1/5 = 0.8. Norm 0.5 < 1: zero.
    torch.testing.assert_close(model.block0.lora_A.data,
                               torch.tensor([[2.4, 0.0]]))
    torch.testing.assert_close(model.block0.lora_B.data,
                               torch.tensor([[0.0], [3.2]]))
    assert float(model.block1.lora_A.detach().abs().sum()) == 0.0
    assert float(model.block1.lora_B.detach().abs().sum()) == 0.0
    assert wrapper.zero_group_ratio() == 0.5


def test_sparsity_warm_up():
    model = ToyLoRAModel()
    wrapper = build(model, alpha=1e-4, warmup_epochs=2,
                    alpha_after_warmup=0.5)
    hub = MessageHub.get_current_instance()
    hub.update_info('epoch', 1)
    assert wrapper.current_alpha() == 0.0
    wrapper.update_params(zero_data_loss(model))
    assert model.block0.lora_A.data.tolist() == [[3.0, 0.0]]
    hub.update_info('epoch', 2)
    assert wrapper.current_alpha() == 0.5


def test_structure_loss_is_the_sum_of_group_norms():
    wrapper = build(ToyLoRAModel(), alpha=0.1)
    assert float(wrapper.structure_loss().detach()) == pytest.approx(5.5)


def test_l1_alone_moves_every_entry_by_lr_times_l1_towards_zero():
    """CLEAR's l1 without the group lasso: theta <- theta - lr * l1 *
    sign(theta) entry by entry (zero entries stay zero), whatever the
    group norms."""
    model = ToyLoRAModel()
    wrapper = build(model, lr=0.5, alpha=0.0, l1=0.1)
    wrapper.update_params(zero_data_loss(model))
    torch.testing.assert_close(model.block0.lora_A.data,
                               torch.tensor([[2.95, 0.0]]))
    torch.testing.assert_close(model.block0.lora_B.data,
                               torch.tensor([[0.0], [3.95]]))
    torch.testing.assert_close(model.block1.lora_A.data,
                               torch.tensor([[0.25, 0.0]]))
    hub = MessageHub.get_current_instance()
    assert hub.get_scalar('train/loss_l1').current() == pytest.approx(7.7)


def test_l1_beside_the_group_lasso_adds_both_subgradients():
    model = ToyLoRAModel()
    wrapper = build(model, lr=0.5, alpha=0.1, l1=0.1)
    wrapper.update_params(zero_data_loss(model))
    # 3 - 0.5 * (0.1 * 3 / 5 + 0.1) and 0.3 - 0.5 * (0.1 * 0.3 / 0.5 + 0.1)
    torch.testing.assert_close(model.block0.lora_A.data,
                               torch.tensor([[2.92, 0.0]]))
    torch.testing.assert_close(model.block1.lora_A.data,
                               torch.tensor([[0.22, 0.0]]))


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match='l1 must be >= 0'):
        build(ToyLoRAModel(), l1=-1e-3)
    with pytest.raises(ValueError, match='mode must be one of'):
        build(ToyLoRAModel(), mode='lasso')
    with pytest.raises(ValueError, match='has no `lora_groups`'):
        build(nn.Linear(2, 2))
