"""Put LoRA adapters on the linears named by regular expressions.

Targets are matched against FULL module names with ``re.fullmatch`` (never
by suffix: ``proj`` must not hit ``attn.out_proj``). The first capture group
of a pattern names the module's sparse group, e.g. the block index in
``backbone\\.layers\\.(\\d+)\\.ffn\\.layers\\.(?:0\\.0|1)``, so one pattern
serves a ViT's blocks and DETR's encoder/decoder layers alike.
"""
import copy
import math
import re
from collections import OrderedDict

import torch
import torch.nn as nn

from .lora_linear import LoRALinear


def _set_submodule(model, name, module):
    parent_name, _, child = name.rpartition('.')
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, child, module)


def inject_lora(model: nn.Module, targets, rank=8, alpha=1.0, dropout=0.0):
    """Replace the matched linears by ``LoRALinear`` and freeze the rest.

    Returns:
        OrderedDict[str, list[LoRALinear]]: the sparse groups.
    """
    patterns = [targets] if isinstance(targets, str) else list(targets)
    compiled = [re.compile(p) for p in patterns]
    wrapped = {}  # id(original linear) -> LoRALinear, for shared modules
    groups = OrderedDict()
    for name, module in list(model.named_modules(remove_duplicate=False)):
        match = next((m for m in (p.fullmatch(name) for p in compiled) if m),
                     None)
        if match is None:
            continue
        if isinstance(module, LoRALinear):
            raise ValueError(f'{name} already has LoRA')
        if not isinstance(module, nn.Linear):
            raise TypeError(
                f'LoRA target {name} is a {type(module).__name__}, not an '
                'nn.Linear; narrow the target pattern')
        if id(module) not in wrapped:
            lora = LoRALinear(module, rank=rank, alpha=alpha, dropout=dropout)
            wrapped[id(module)] = lora
            group = match.group(1) if match.re.groups else name
            groups.setdefault(group, []).append(lora)
        _set_submodule(model, name, wrapped[id(module)])
    if not wrapped:
        raise ValueError(
            f'no module matches the LoRA targets {patterns}; targets are '
            'regular expressions over full module names (see '
            'model.named_modules()), e.g. r"backbone\\.layers\\.(\\d+)\\.ffn'
            '\\.layers\\.(?:0\\.0|1)"')
    for param_name, param in model.named_parameters():
        param.requires_grad_(
            param_name.rsplit('.', 1)[-1] in ('lora_A', 'lora_B'))
    return groups


def lora_modules(model):
    """(name, LoRALinear) of every adapter, each shared module once."""
    return [(n, m) for n, m in model.named_modules()
            if isinstance(m, LoRALinear)]


def reset_lora(model, init_a=math.sqrt(5)):
    """Fresh adapters everywhere (B = 0: the model's function is unchanged);
    A is kaiming-uniform with negative slope ``init_a`` (loralib: sqrt(5))."""
    for _, module in lora_modules(model):
        module.reset_parameters(a=init_a)


def merge_lora(model):
    """Merge every adapter that is not merged yet."""
    for _, module in lora_modules(model):
        if not module.merged:
            module.merge()


def set_sample_scale(model, scale):
    """Scale every adapter's update per sample by ``scale`` ((batch, )
    tensor; None: in full)."""
    for _, module in lora_modules(model):
        module.sample_scale = scale


def adapter_free_copy(module):
    """A frozen copy of ``module`` whose adapters are plain linears with
    the base weights: the model before any unmerged adapter."""
    copied = copy.deepcopy(module)
    for name, lora in lora_modules(copied):
        plain = nn.Linear(lora.in_features, lora.out_features,
                          bias=lora.bias is not None)
        plain.weight = lora.weight
        plain.bias = lora.bias
        _set_submodule(copied, name, plain)
    copied.eval()
    copied.requires_grad_(False)
    return copied


def lora_parameter_count(model):
    return sum(m.lora_A.numel() + m.lora_B.numel()
               for _, m in lora_modules(model))


@torch.no_grad()
def merged_state_dict(model):
    """The weights as the un-injected model would hold them: adapters that
    are not merged yet are added in, and no ``lora_`` key remains. The model
    itself is not changed."""
    deltas = {}
    for name, module in model.named_modules(remove_duplicate=False):
        if isinstance(module, LoRALinear) and not module.merged:
            prefix = f'{name}.' if name else ''
            deltas[prefix + 'weight'] = module.delta_weight()
    state = OrderedDict()
    for key, value in model.state_dict().items():
        if key.rsplit('.', 1)[-1] in ('lora_A', 'lora_B'):
            continue
        state[key] = value + deltas[key] if key in deltas else value
    return state
