"""A linear layer with a low-rank adapter that can be merged into it.

``y = x W^T + b + (alpha / rank) * dropout(x) A^T B^T``. The class is an
``nn.Linear`` holding the original ``weight`` and ``bias`` Parameters, so its
state dict keeps the original keys (plus ``lora_A`` / ``lora_B``): plain
checkpoints load into it and merged weights load into a plain model.
"""
import math
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F


class LoRALinear(nn.Linear):
    """``base`` plus a trainable rank-``rank`` update; ``base`` is frozen.

    Args:
        base (nn.Linear): the layer to adapt; its Parameters are reused.
        rank (int): r. Papers: 8.
        alpha (float): the update is scaled by ``alpha / rank``; the papers
            use loralib's default alpha = 1, i.e. a scaling of 1/r.
        dropout (float): dropout on the adapter's input.
    """

    def __init__(self, base: nn.Linear, rank: int = 8, alpha: float = 1.0,
                 dropout: float = 0.0):
        # nn.Linear.__init__ would allocate fresh weights; reuse base's.
        nn.Module.__init__(self)
        if rank < 1:
            raise ValueError(f'LoRA rank must be >= 1, got {rank}')
        self.in_features = base.in_features
        self.out_features = base.out_features
        self.weight = base.weight
        self.bias = base.bias
        self.weight.requires_grad_(False)
        if self.bias is not None:
            self.bias.requires_grad_(False)
        self.rank = rank
        self.alpha = alpha
        self.scaling = alpha / rank
        factory = dict(device=base.weight.device, dtype=base.weight.dtype)
        self.lora_A = nn.Parameter(torch.empty(rank, self.in_features,
                                               **factory))
        self.lora_B = nn.Parameter(torch.empty(self.out_features, rank,
                                               **factory))
        self.lora_dropout = nn.Dropout(dropout) if dropout else nn.Identity()
        self.merged = False
        # None: the update applies in full; a (batch, ) tensor: scales each
        # sample's update (a gated adapter, see GatedAdapterClassifier).
        self.sample_scale = None
        self.reset_parameters()

    def reset_parameters(self, a: float = math.sqrt(5)):
        """Start a fresh adapter (A random, B = 0, so no change yet) on top
        of whatever has been merged into the weight, which stays as it is."""
        if not hasattr(self, 'lora_A'):
            return
        nn.init.kaiming_uniform_(self.lora_A, a=a)
        nn.init.zeros_(self.lora_B)
        self.merged = False

    def delta_weight(self) -> torch.Tensor:
        return (self.lora_B @ self.lora_A) * self.scaling

    @torch.no_grad()
    def merge(self):
        """Fold the adapter into the weight; forward then skips it."""
        if self.merged:
            warnings.warn('LoRALinear.merge(): already merged, nothing done')
            return
        self.weight.add_(self.delta_weight())
        self.merged = True

    @torch.no_grad()
    def unmerge(self):
        """Take the adapter back out of the weight."""
        if not self.merged:
            warnings.warn('LoRALinear.unmerge(): not merged, nothing done')
            return
        self.weight.sub_(self.delta_weight())
        self.merged = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.linear(x, self.weight, self.bias)
        if not self.merged:
            update = F.linear(F.linear(self.lora_dropout(x), self.lora_A),
                              self.lora_B)
            if self.sample_scale is not None:
                update = update * self.sample_scale.to(update.dtype).view(
                    -1, *([1] * (update.dim() - 1)))
            out = out + update * self.scaling
        return out

    def extra_repr(self) -> str:
        return (f'in_features={self.in_features}, out_features='
                f'{self.out_features}, rank={self.rank}, alpha={self.alpha}, '
                f'merged={self.merged}')
