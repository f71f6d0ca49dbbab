"""SalUn: random labels on the forget data and replay of the retain data,
restricted to the weights most salient for forgetting.

At the start of each task the saliency of every weight is
``abs(sum_batches d(-CE(f(x_f), y)) / d theta)`` over the task's forget
data (model in eval mode, batch-mean loss); the mask keeps the top
``saliency`` fraction of all weights, head included. Training is RL's loss
(``CE(f(x_f), y') + CE(f(x_r), y)``), and after every optimizer step the
weights outside the mask are put back to their values before the step, so
neither weight decay nor momentum moves them.
"""
import torch
from mmengine.model import is_model_wrapper

from mmforget.registry import METHODS
from .base import batch_loss
from .random_label import RandomLabel


def saliency_mask(grads, fraction):
    """{name: bool mask} keeping the ``fraction`` of all entries of
    ``grads`` with the largest absolute value (exactly that many: ties are
    broken by position)."""
    flat = torch.cat([g.abs().flatten() for g in grads.values()])
    keep = int(round(fraction * flat.numel()))
    chosen = torch.zeros(flat.numel(), dtype=torch.bool)
    if keep:
        chosen[torch.topk(flat, keep).indices] = True
    masks, start = {}, 0
    for name, grad in grads.items():
        masks[name] = chosen[start:start + grad.numel()].view_as(grad)
        start += grad.numel()
    return masks


@METHODS.register_module()
class SalUn(RandomLabel):
    """Args:
        saliency (float): the fraction of weights that train (the authors'
            recommended mask: 0.5).
        mask_batches (int, optional): how many forget batches the saliency
            is summed over (default: all of them).
        **kwargs: ``RandomLabel``'s (``official_random_labels``,
            ``retain_weight``).
    """

    default_name = 'SalUn'

    def __init__(self, saliency=0.5, mask_batches=None, name=None,
                 **kwargs):
        if not 0 < saliency <= 1:
            raise ValueError(f'saliency must be in (0, 1], got {saliency}')
        super().__init__(penalty=None, name=name or 'SalUn', **kwargs)
        self.frozen = ()  # the mask, not a prefix, decides what trains
        self.saliency = saliency
        self.mask_batches = mask_batches
        self.masks = None

    def start_task(self, model, context):
        super().start_task(model, context)
        self.masks = saliency_mask(
            self.forget_gradients(model, context.task_data_loader('forget')),
            self.saliency)

    def forget_gradients(self, model, dataloader):
        """sum over the forget batches of d(-L) / d theta, eval mode (L:
        the model's own loss, a classifier's CE, a detector's set loss)."""
        params = {n: p for n, p in model.named_parameters()
                  if p.requires_grad}
        grads = {n: torch.zeros_like(p) for n, p in params.items()}
        was_training = model.training
        model.eval()
        for index, data in enumerate(dataloader):
            if self.mask_batches is not None and index >= self.mask_batches:
                break
            loss = -batch_loss(model, data)
            for (name, _), grad in zip(params.items(), torch.autograd.grad(
                    loss, list(params.values()), allow_unused=True)):
                if grad is not None:
                    grads[name] += grad
        model.train(was_training)
        return grads

    def train_step(self, model, data, optim_wrapper):
        plain = model.module if is_model_wrapper(model) else model
        params = dict(plain.named_parameters())
        before = {n: params[n].detach().clone() for n in self.masks}
        log_vars = super().train_step(model, data, optim_wrapper)
        with torch.no_grad():
            for name, mask in self.masks.items():
                param = params[name]
                param.copy_(torch.where(mask.to(param.device), param,
                                        before[name]))
        return log_vars
