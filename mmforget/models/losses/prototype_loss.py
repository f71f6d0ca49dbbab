"""GS-LoRA++'s prototype regularisation.

Class prototypes are the mean embeddings of each class, taken at the start
of a task with the current model. Forgotten samples are pushed away from
their class prototype (up to a bound), retained ones pulled towards it, so
forgetting stays targeted when data is scarce. The distance is the KL
divergence between softmaxes over the embedding dimensions (prototype and
embedding treated as logits), averaged over samples, as published.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmforget.registry import MODELS
from .bounded_forget_loss import value_for_task


def prototype_kl(embeddings, prototypes, temperature=1.0):
    """KL(softmax(p_y / T) || softmax(z / T)) per sample."""
    target = F.log_softmax(prototypes / temperature, dim=-1)
    log_probs = F.log_softmax(embeddings / temperature, dim=-1)
    return (target.exp() * (target - log_probs)).sum(dim=-1)


@MODELS.register_module()
class PrototypeLoss(nn.Module):
    """``w_f * ReLU(BND_pro - mean_f D) + w_r * mean_r D``.

    Args:
        bound (float): BND_pro (papers: 18; 50 in the few-shot continual run).
        forget_weight (float | list[float]): w_f, or one per task.
        retain_weight (float | list[float]): w_r (0 in every published run).
        temperature (float): softmax temperature (published: 1).
    """

    def __init__(self, bound=18.0, forget_weight=0.01, retain_weight=0.0,
                 temperature=1.0):
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be positive, got {temperature}')
        self.bound = float(bound)
        self.forget_weight = forget_weight
        self.retain_weight = retain_weight
        self.temperature = temperature
        self.task = 0

    def forward(self, embeddings, labels, is_forget, prototypes):
        """``prototypes``: (num_classes, dim); rows of classes that had no
        training data are never used (those classes have no samples)."""
        distance = prototype_kl(embeddings, prototypes[labels],
                                self.temperature)
        w_f = value_for_task(self.forget_weight, self.task, 'forget_weight')
        w_r = value_for_task(self.retain_weight, self.task, 'retain_weight')
        loss = embeddings.new_zeros(())
        if is_forget.any():
            loss = loss + w_f * torch.relu(self.bound -
                                           distance[is_forget].mean())
        if (~is_forget).any() and w_r:
            loss = loss + w_r * distance[~is_forget].mean()
        return loss
