"""Boundary Shrink: move every forget image to its nearest wrong class.

A frozen copy of the model as the task starts (f0) gives each forget image
x of class y an FGSM neighbour ``x' = x + eps * sign(d CE(f0(x), y) / dx)``
(in the model's input space, after the data preprocessor); the target is
the class f0 scores highest on x' other than y (the official code takes
the plain argmax, which may be y itself). The loss is ``CE(f(x), target)``
on the clean forget images only; every weight trains.
"""
import torch
import torch.nn.functional as F

from mmforget.registry import METHODS
from .base import ForgettingMethod, gt_labels, split_batch, zero_loss


def nearest_wrong_class(reference, inputs, labels, eps):
    """The class ``reference`` scores highest, other than ``labels``, on
    the FGSM neighbours of ``inputs`` (step ``eps``)."""
    inputs = inputs.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(reference.logits(reference.extract_feat(inputs)),
                           labels)
    grad, = torch.autograd.grad(loss, inputs)
    with torch.no_grad():
        neighbours = inputs + eps * grad.sign()
        logits = reference.logits(reference.extract_feat(neighbours))
        logits[torch.arange(len(labels)), labels] = float('-inf')
        return logits.argmax(dim=1)


@METHODS.register_module()
class BoundaryShrink(ForgettingMethod):
    """Args:
        eps (float): the FGSM step, in the model's input units.
    """

    model_kinds = ('classifier', )  # reads its embedding or logits

    default_name = 'Boundary Shrink'

    def __init__(self, eps=0.1, name=None):
        super().__init__(name=name, frozen=())
        self.eps = eps
        self.reference = None

    def start_task(self, model, context):
        super().start_task(model, context)
        self.reference = model.frozen_copy()

    def loss(self, model, inputs, data_samples):
        forget, _ = split_batch(data_samples)
        if not len(forget):
            return dict(loss_forget=zero_loss(model))
        index = forget.to(inputs.device)
        samples = [data_samples[i] for i in forget.tolist()]
        targets = nearest_wrong_class(self.reference, inputs[index],
                                      gt_labels(samples, inputs.device),
                                      self.eps)
        logits = model.logits(model.extract_feat(inputs[index]))
        return dict(loss_forget=F.cross_entropy(logits, targets))
