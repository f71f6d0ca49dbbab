"""The unlearning field's simplest methods (OPTML's FT, GA and l1-sparse):
every weight trains, on one side of the data only.

- FT: fine-tune on the kept classes' data, so the forgotten ones fade by
  catastrophic forgetting: ``CE(f(x_r), y)``. No forget sample is read.
- l1-sparse: FT plus ``alpha_t * ||theta||_1`` over every parameter, alpha_t
  decaying linearly from ``alpha`` to 0 over the first ``E - no_l1_epochs``
  epochs of a task (E: the task's epochs).
- GA: gradient ascent on the forget data, ``-CE(f(x_f), y)`` (NegGrad), or
  the bounded form ``ReLU(BND - CE(f(x_f), y))``, which stops pushing once
  the loss passes BND. No retain sample enters the loss.
"""
import torch

from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch, zero_loss
from .forget_retain_terms import check_forget_scope, forget_retain_terms


@METHODS.register_module()
class FineTune(ForgettingMethod):
    """FT: every weight, head included, on the retain data only, with the
    model's own training loss (a classifier's CE, a detector's set loss)."""

    default_name = 'FT'
    uses_forget_data = False

    def __init__(self, name=None):
        super().__init__(name=name, frozen=())

    def loss(self, model, inputs, data_samples):
        forget, _ = split_batch(data_samples)
        if len(forget):
            raise RuntimeError(f'{self.name} received forget samples')
        return forget_retain_terms(model, inputs, data_samples)['retain']


@METHODS.register_module()
class L1Sparse(FineTune):
    """Args:
        alpha (float): the l1 weight of the first epoch of a task.
        no_l1_epochs (int): the last epochs of a task, trained without it.
    """

    default_name = 'l1-sparse'

    def __init__(self, alpha=5e-4, no_l1_epochs=0, name=None):
        super().__init__(name=name)
        self.alpha = alpha
        self.no_l1_epochs = no_l1_epochs
        self.max_epochs = None
        self.current_alpha = alpha

    def start_task(self, model, context):
        super().start_task(model, context)
        self.max_epochs = context.max_epochs

    def before_epoch(self, epoch):
        self.current_alpha = self.alpha_at(epoch)

    def alpha_at(self, epoch):
        """alpha * (1 - epoch / (E - no_l1_epochs)), never below 0."""
        span = self.max_epochs - self.no_l1_epochs
        if span <= 0:
            return 0.0
        return self.alpha * max(0.0, 1 - epoch / span)

    def loss(self, model, inputs, data_samples):
        losses = super().loss(model, inputs, data_samples)
        if self.current_alpha:
            losses['loss_l1'] = self.current_alpha * sum(
                p.abs().sum() for p in model.parameters() if p.requires_grad)
        return losses


@METHODS.register_module()
class GradientAscent(ForgettingMethod):
    """Args:
        bound (float, optional): BND of the bounded form; None (default):
            plain gradient ascent, unbounded.
        forget_scope (str): a detector's forget loss, 'all' or 'matched'
            (see ``GSLoRA``).
    """

    default_name = 'GA'

    def __init__(self, bound=None, forget_scope='all', name=None):
        super().__init__(name=name or ('GA' if bound is None else
                                       'GA (bounded)'), frozen=())
        self.bound = bound
        self.forget_scope = check_forget_scope(forget_scope)

    def loss(self, model, inputs, data_samples):
        ce = forget_retain_terms(model, inputs, data_samples,
                                 forget_scope=self.forget_scope)['forget']
        if ce is None:  # no forget sample in this batch
            return dict(loss_forget=zero_loss(model))
        loss = -ce if self.bound is None else torch.relu(self.bound - ce)
        return dict(loss_forget=loss, forget_ce=ce.detach())
