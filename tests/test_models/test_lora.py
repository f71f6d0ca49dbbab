"""LoRA layers: exact merges, frozen bases, regex injection, clean exports."""
import copy

import pytest
import torch
import torch.nn as nn
from mmpretrain.models import VisionTransformer

from mmforget.lora import (LoRALinear, inject_lora, lora_parameter_count,
                           merge_lora, merged_state_dict, reset_lora)

FFN = r'layers\.(\d+)\.ffn\.layers\.(?:0\.0|1)'


def tiny_vit():
    torch.manual_seed(0)
    vit = VisionTransformer(
        arch=dict(embed_dims=32, num_layers=3, num_heads=2,
                  feedforward_channels=64),
        img_size=8, patch_size=2, in_channels=1)
    vit.init_weights()
    vit.eval()  # (its train() override returns None)
    return vit


def randomise_lora(model):
    torch.manual_seed(1)
    for name, param in model.named_parameters():
        if 'lora_' in name:
            nn.init.normal_(param, std=0.2)


def test_zero_b_gives_the_base_outputs_and_merge_is_exact():
    base = nn.Linear(6, 5)
    x = torch.randn(4, 6)
    expected = base(x)
    lora = LoRALinear(copy.deepcopy(base), rank=2, alpha=1.0)
    assert torch.equal(lora(x), expected)
    nn.init.normal_(lora.lora_B)
    unmerged = lora(x)
    assert not torch.allclose(unmerged, expected)
    lora.merge()
    torch.testing.assert_close(lora(x), unmerged, atol=1e-5, rtol=0)
    with pytest.warns(UserWarning, match='already merged'):
        lora.merge()  # must not add the update twice
    torch.testing.assert_close(lora(x), unmerged, atol=1e-5, rtol=0)
    lora.unmerge()
    torch.testing.assert_close(lora.weight, base.weight, atol=1e-6, rtol=0)


def test_scaling_is_alpha_over_rank():
    lora = LoRALinear(nn.Linear(3, 2, bias=False), rank=4, alpha=1.0)
    nn.init.ones_(lora.lora_A)
    nn.init.ones_(lora.lora_B)
    torch.testing.assert_close(lora.delta_weight(), torch.ones(2, 3))


def test_only_the_adapter_gets_gradients():
    lora = LoRALinear(nn.Linear(4, 3), rank=2)
    lora(torch.randn(2, 4)).sum().backward()
    assert lora.weight.grad is None and lora.bias.grad is None
    assert lora.lora_A.grad is not None and lora.lora_B.grad is not None


def test_injection_groups_one_block_each_and_freezes_the_rest():
    vit = tiny_vit()
    groups = inject_lora(vit, FFN, rank=4)
    assert list(groups) == ['0', '1', '2']
    assert all(len(modules) == 2 for modules in groups.values())
    wrapped = {n for n, m in vit.named_modules() if isinstance(m, LoRALinear)}
    assert wrapped == {f'layers.{i}.ffn.layers.{j}'
                       for i in range(3) for j in ('0.0', '1')}
    trainable = {n for n, p in vit.named_parameters() if p.requires_grad}
    assert trainable and all('lora_' in n for n in trainable)
    assert lora_parameter_count(vit) == 3 * (4 * 32 + 64 * 4 + 4 * 64 +
                                             32 * 4)


def test_targets_are_full_name_regexes_not_suffixes():
    with pytest.raises(ValueError, match='no module matches'):
        inject_lora(tiny_vit(), ['proj'])
    vit = tiny_vit()
    groups = inject_lora(vit, [r'layers\.0\.attn\.proj'])
    assert [m for ms in groups.values() for m in ms] == [
        vit.layers[0].attn.proj]


def test_a_non_linear_target_is_refused():
    with pytest.raises(TypeError, match='not an nn.Linear'):
        inject_lora(tiny_vit(), [r'layers\.0\.ln1'])


def test_a_shared_linear_is_wrapped_once():
    shared = nn.Linear(3, 3)
    model = nn.Module()
    model.heads = nn.ModuleList([shared, shared])
    groups = inject_lora(model, [r'heads\.\d+'], rank=1)
    assert model.heads[0] is model.heads[1]
    assert isinstance(model.heads[0], LoRALinear)
    assert sum(len(v) for v in groups.values()) == 1


def test_b_stays_zero_through_the_vit_init_weights():
    vit = tiny_vit()
    inject_lora(vit, FFN, rank=4)
    vit._is_init = False
    vit.init_weights()  # re-initialises the FFN linears' weights
    assert all(float(m.lora_B.abs().sum()) == 0 for m in vit.modules()
               if isinstance(m, LoRALinear))


def test_reset_lora_undoes_an_init_that_touches_every_matrix():
    """mmdet's DeformableDETR xavier-inits every p.dim() > 1 of its encoder
    and decoder, LoRA B included; the forgetting models reset afterwards."""
    vit = tiny_vit()
    inject_lora(vit, FFN, rank=4)
    for p in vit.layers.parameters():
        if p.dim() > 1:
            nn.init.xavier_uniform_(p)
    assert any(float(m.lora_B.abs().sum()) > 0 for m in vit.modules()
               if isinstance(m, LoRALinear))
    reset_lora(vit)
    assert all(float(m.lora_B.abs().sum()) == 0 for m in vit.modules()
               if isinstance(m, LoRALinear))


def test_merged_state_dict_loads_into_the_plain_model_with_same_outputs():
    plain = tiny_vit()
    vit = copy.deepcopy(plain)
    inject_lora(vit, FFN, rank=4)
    randomise_lora(vit)
    x = torch.randn(2, 1, 8, 8)
    with torch.no_grad():
        expected = vit(x)[0]
    state = merged_state_dict(vit)
    assert {k: v.shape for k, v in state.items()} == {
        k: v.shape for k, v in plain.state_dict().items()}
    plain.load_state_dict(state, strict=True)
    with torch.no_grad():
        torch.testing.assert_close(plain(x)[0], expected, atol=1e-5, rtol=0)
    merge_lora(vit)  # merging in place gives the same function too
    with torch.no_grad():
        torch.testing.assert_close(vit(x)[0], expected, atol=1e-5, rtol=0)


def test_a_plain_checkpoint_loads_with_only_lora_keys_missing():
    plain = tiny_vit()
    vit = copy.deepcopy(plain)
    inject_lora(vit, FFN, rank=2)
    result = vit.load_state_dict(plain.state_dict(), strict=False)
    assert result.unexpected_keys == []
    assert result.missing_keys and all(
        k.endswith(('lora_A', 'lora_B')) for k in result.missing_keys)
