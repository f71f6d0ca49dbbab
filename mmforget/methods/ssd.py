"""SSD, Selective Synaptic Dampening: training-free forgetting.

The importance of a weight on a set of images is the mean over batches of
the squared gradient of the batch-mean CE (model in eval mode). Every
weight far more important for the forget data than for the whole training
data, ``I_f > alpha * I_D``, is shrunk: ``theta <- theta * min(lambda *
I_D / I_f, 1)``. I_D is computed once per run, on the original model and
the first task's training images (every class), and reused for every task;
I_f on each task's forget images, from the current model. Nothing trains:
its configs set ``train_cfg.max_epochs=0``.
"""
import torch

from mmforget.registry import METHODS
from .base import ForgettingMethod, batch_loss, refuse_training


def dampen(params, forget_importance, global_importance, alpha, dampening):
    """Shrink, in place, the entries of ``params`` whose forget importance
    exceeds ``alpha`` times the global one; returns how many were shrunk."""
    shrunk = 0
    with torch.no_grad():
        for name, param in params.items():
            i_f, i_d = forget_importance[name], global_importance[name]
            selected = i_f > alpha * i_d
            factor = (dampening * i_d / i_f.clamp(min=1e-30)).clamp(max=1)
            param.mul_(torch.where(selected, factor, torch.ones_like(i_f)))
            shrunk += int(selected.sum())
    return shrunk


def importance(model, params, dataloader):
    """{name: mean over batches of (d L / d theta)^2}, eval mode (L: the
    model's own batch-mean loss, a classifier's CE, a detector's set
    loss)."""
    totals = {n: torch.zeros_like(p) for n, p in params.items()}
    was_training = model.training
    model.eval()
    batches = 0
    for data in dataloader:
        loss = batch_loss(model, data)
        grads = torch.autograd.grad(loss, list(params.values()),
                                    allow_unused=True)
        for name, grad in zip(params, grads):
            if grad is not None:
                totals[name] += grad.pow(2)
        batches += 1
    model.train(was_training)
    return {n: t / max(batches, 1) for n, t in totals.items()}


@METHODS.register_module()
class SSD(ForgettingMethod):
    """Args:
        alpha (float): selection weighting (the authors' ViT value: 5).
        dampening (float): lambda, the dampening constant (1).
    """

    default_name = 'SSD'

    def __init__(self, alpha=5.0, dampening=1.0, name=None):
        super().__init__(name=name, frozen=())
        self.alpha = alpha
        self.dampening = dampening
        self.global_importance = None
        self.shrunk = None

    def before_tasks(self, model, context):
        """I_D, once, with the original weights (a resumed run too)."""
        refuse_training(self, context)
        self.set_trainable(model)  # a detector's frozen stages too
        self.global_importance = importance(
            model, dict(model.named_parameters()),
            context.task_data_loader('all', task_index=0))

    def start_task(self, model, context):
        super().start_task(model, context)
        params = dict(model.named_parameters())
        forget = importance(model, params, context.task_data_loader('forget'))
        self.shrunk = dampen(params, forget, self.global_importance,
                             self.alpha, self.dampening)

    def loss(self, model, inputs, data_samples):
        raise RuntimeError(
            'SSD is training-free (it dampens weights at the start of each '
            'task): set train_cfg.max_epochs=0')
