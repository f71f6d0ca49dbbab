"""The bounded forgetting loss of GS-LoRA.

Plain gradient ascent on the forget data diverges; GS-LoRA raises the forget
loss only until it reaches a bound: ``beta * ReLU(BND - L)``, where ``L`` is
the batch-mean loss on forget samples. Once ``L >= BND`` the term is zero and
only the retain loss acts.
"""
import torch
import torch.nn as nn

from mmforget.registry import MODELS


def value_for_task(value, task, name='value'):
    """A per-task hyper-parameter: a number, or a list with one per task."""
    if isinstance(value, (list, tuple)):
        if task >= len(value):
            raise ValueError(
                f'{name} lists {len(value)} values but task {task} needs '
                f'one; give at least {task + 1} values or a single number')
        return value[task]
    return value


@MODELS.register_module()
class BoundedForgetLoss(nn.Module):
    """``loss_weight * ReLU(bound - forget_loss)``.

    Args:
        bound (float): BND. Papers: 105-110 for CosFace logits (s=64), 15 for
            detection; plain softmax logits need a far smaller bound.
        loss_weight (float | list[float]): beta, or one beta per task.
    """

    def __init__(self, bound=10.0, loss_weight=0.2):
        super().__init__()
        if bound <= 0:
            raise ValueError(f'bound must be positive, got {bound}')
        self.bound = float(bound)
        self.loss_weight = loss_weight
        self.task = 0

    def forward(self, forget_loss: torch.Tensor) -> torch.Tensor:
        weight = value_for_task(self.loss_weight, self.task, 'loss_weight')
        return weight * torch.relu(self.bound - forget_loss)
