"""The forget classes hardest to forget for a model (Challenging Forgets,
class-wise), and a cheaper proxy checked against them.

The selection is a bi-level problem over class weights ``w`` in [0, 1]^C
with sum ``budget``: the lower level emulates forgetting the weighted
classes (fine-tuning with every sample weighted by ``1 - w[y]``, summed
cross-entropy, SignSGD), the upper level moves ``w`` against the per-class
training loss after it, ``w <- Proj(w - step * (g + 2 gamma w))``, so the
classes whose loss stays lowest once they are left out, the hardest to
forget, gather the weight. As the authors' code: random initial classes,
first-order (the lower level's dependence on ``w`` is ignored), a
bisection projection onto the budget, the top ``budget`` of the last ``w``.
Departures, named: the lower level trains the head over the frozen
features (the authors': every weight, one epoch), full-batch, from the
original head at every upper iteration; ``g`` is scaled to a largest
entry of 1 before the step (its raw size depends on the data's size).

The proxy ranks the classes by the original model's own per-class training
loss (lowest first): no lower level at all.
"""
import numpy as np
import torch
import torch.nn.functional as F


def project_to_budget(weights, budget, tol=1e-5, max_iter=100):
    """``clamp(w - mu, 0, 1)`` with ``mu`` found by bisection so that it
    sums to ``budget``."""
    low, high = float(weights.min()) - 1.0, float(weights.max())
    projected = weights.clamp(0, 1)
    for _ in range(max_iter):
        mu = (low + high) / 2
        projected = (weights - mu).clamp(0, 1)
        total = float(projected.sum())
        if abs(total - budget) < tol:
            break
        if total > budget:
            low = mu
        else:
            high = mu
    return projected


def per_class_loss(feats, labels, weight, bias, num_classes):
    """(C,) mean cross-entropy of each class's samples (NaN: no sample)."""
    losses = F.cross_entropy(feats @ weight.T + bias, labels,
                             reduction='none')
    sums = torch.zeros(num_classes, dtype=losses.dtype).index_add_(
        0, labels, losses)
    counts = torch.bincount(labels, minlength=num_classes).to(losses.dtype)
    return sums / counts


def worst_case_classes(feats, labels, weight, bias, budget, iterations=20,
                       lower_steps=20, lower_lr=1e-3, step=0.5, gamma=1e-4,
                       seed=0):
    """(the ``budget`` classes hardest to forget, hardest first; the last
    ``w``). ``feats`` (N, D) and ``labels`` (N,): the training images'
    embeddings; ``weight`` (C, D), ``bias`` (C,): the original head."""
    num_classes = weight.shape[0]
    if not 0 < budget < num_classes:
        raise ValueError(f'budget must be in 1..{num_classes - 1}, got '
                         f'{budget}')
    feats, weight, bias = feats.double(), weight.double(), bias.double()
    generator = torch.Generator().manual_seed(seed)
    w = torch.zeros(num_classes, dtype=torch.float64)
    w[torch.randperm(num_classes, generator=generator)[:budget]] = 1.0
    for _ in range(iterations):
        head_w = weight.clone().requires_grad_(True)
        head_b = bias.clone().requires_grad_(True)
        sample_weight = 1.0 - w[labels]
        for _ in range(lower_steps):
            loss = (sample_weight * F.cross_entropy(
                feats @ head_w.T + head_b, labels, reduction='none')).sum()
            grad_w, grad_b = torch.autograd.grad(loss, (head_w, head_b))
            with torch.no_grad():
                head_w -= lower_lr * grad_w.sign()
                head_b -= lower_lr * grad_b.sign()
        with torch.no_grad():
            g = per_class_loss(feats, labels, head_w, head_b, num_classes)
            g = torch.nan_to_num(g, nan=float(np.nanmax(g.numpy())))
            g = g / g.abs().max().clamp(min=1e-12)
            w = project_to_budget(w - step * (g + 2 * gamma * w), budget)
    order = torch.argsort(w, descending=True, stable=True)
    return order[:budget].tolist(), w


def lowest_loss_classes(feats, labels, weight, bias, budget):
    """The proxy: the ``budget`` classes with the lowest per-class training
    loss under the original model, lowest first; and every class's loss."""
    loss = per_class_loss(feats.double(), labels, weight.double(),
                          bias.double(), weight.shape[0])
    order = torch.argsort(torch.nan_to_num(loss, nan=float('inf')),
                          stable=True)
    return order[:budget].tolist(), loss


def spearman(a, b):
    """Spearman's rank correlation of two score vectors (no ties)."""
    rank_a = np.argsort(np.argsort(np.asarray(a)))
    rank_b = np.argsort(np.argsort(np.asarray(b)))
    return float(np.corrcoef(rank_a, rank_b)[0, 1])
