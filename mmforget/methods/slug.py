"""SLUG, Single Layer Unlearning Gradient: one gradient, one layer.

At the start of a task: G_f = sum over the forget batches of d(-L)/d theta
and G_r = sum over as many retain batches of dL/d theta (L: the model's own
loss), for the weight of every linear and convolution layer (the head's
included). A layer's importance is ``||G_f|| / ||theta||``, its
alignment ``|cos(G_f, G_r)|``; the candidates are the Pareto front (high
importance, low alignment), the most important first. For each candidate
the step s of ``theta <- theta_0 + s * G_f`` (s < 0: ascent on the forget
loss) is searched on the validation split: from ``-(||theta|| / ||G_f||) /
10``, doubled until the forget classes' validation accuracy falls to the
threshold, then bisected towards 0. The candidate that reaches the
threshold with the highest kept-class validation accuracy is applied; the
others are restored. Nothing trains: configs set ``train_cfg.max_epochs=0``.
The authors edit CLIP; for a classifier the forget loss is the CE.
"""
import torch
from torch import nn

from mmforget.evaluation.forgetting_scores import subset_score
from mmforget.registry import METHODS
from .base import ForgettingMethod, batch_loss, refuse_training


def pareto_front(importance, alignment):
    """Names not dominated by another (higher or equal importance and
    lower or equal alignment, one strictly), most important first."""
    front = [
        name for name in importance
        if not any(importance[o] >= importance[name]
                   and alignment[o] <= alignment[name]
                   and (importance[o] > importance[name]
                        or alignment[o] < alignment[name])
                   for o in importance if o != name)
    ]
    return sorted(front, key=lambda name: -importance[name])


def search_step(forget_score, start, steps, threshold):
    """The smallest |s| (same sign as ``start``) with ``forget_score(s) <=
    threshold`` found in ``steps`` evaluations: double until one is found,
    then bisect between the largest failing and smallest passing step.
    Returns (step, score, found); without success the step that scored
    lowest."""
    failing, passing = 0.0, None
    step, best = start, None
    for _ in range(steps):
        score = forget_score(step)
        if passing is None and (best is None or score < best[1]):
            best = (step, score)
        if score <= threshold:
            passing = (step, score)
            step = (failing + step) / 2
        else:
            failing = step
            step = 2 * step if passing is None else (step + passing[0]) / 2
    if passing is not None:
        return passing[0], passing[1], True
    return best[0], best[1], False


def layer_weights(model):
    """{name: weight} of every linear and convolution layer with
    non-zero weights (the layers SLUG chooses from)."""
    return {f'{name}.weight': module.weight
            for name, module in model.named_modules()
            if isinstance(module, (nn.Linear, nn.Conv2d))
            and module.weight.requires_grad and module.weight.any()}


def summed_gradients(model, params, dataloader, sign, max_batches=None):
    """sum over batches of d(sign * L)/d theta, eval mode."""
    grads = {n: torch.zeros_like(p) for n, p in params.items()}
    was_training = model.training
    model.eval()
    batches = 0
    for data in dataloader:
        if max_batches is not None and batches >= max_batches:
            break
        loss = sign * batch_loss(model, data)
        for name, grad in zip(params, torch.autograd.grad(
                loss, list(params.values()), allow_unused=True)):
            if grad is not None:
                grads[name] += grad
        batches += 1
    model.train(was_training)
    return grads, batches


@METHODS.register_module()
class SLUG(ForgettingMethod):
    """Args:
        max_layers (int): Pareto-front layers tried, most important first.
        search_steps (int): validation evaluations per layer (10).
        forget_threshold (float): the forget classes' validation accuracy
            (%) the step must reach (1).
    """

    default_name = 'SLUG'

    def __init__(self, max_layers=4, search_steps=10, forget_threshold=1.0,
                 name=None):
        super().__init__(name=name, frozen=())
        self.max_layers = max_layers
        self.search_steps = search_steps
        self.forget_threshold = forget_threshold
        self.edit = None

    def before_tasks(self, model, context):
        refuse_training(self, context)
        self.set_trainable(model)  # a detector's frozen stages too
        if not context.has_val_split:
            raise ValueError(
                'SLUG searches its step on the validation split: the config '
                'needs val_dataloader, val_cfg and val_evaluator')

    def start_task(self, model, context):
        super().start_task(model, context)
        task = context.task
        params = layer_weights(model)
        forget, batches = summed_gradients(
            model, params, context.task_data_loader('forget'), -1.0)
        retain, _ = summed_gradients(
            model, params, context.task_data_loader('retain'), 1.0, batches)
        importance = {n: float(forget[n].norm() / params[n].detach().norm())
                      for n in params}
        alignment = {n: float(torch.nn.functional.cosine_similarity(
            forget[n].flatten(), retain[n].flatten(), dim=0).abs())
            for n in params}
        kept = [c for c in task.retain if c not in task.missing]
        tried = []
        for name in pareto_front(importance, alignment)[:self.max_layers]:
            param, original = params[name], params[name].detach().clone()

            def forget_score(step):
                with torch.no_grad():
                    param.copy_(original + step * forget[name])
                scores = context.evaluate('val')
                forget_score.kept = subset_score(scores, kept)
                return subset_score(scores, task.forget)

            start = -float(original.norm() / forget[name].norm()) / 10
            step, score, found = search_step(
                forget_score, start, self.search_steps, self.forget_threshold)
            forget_score(step)
            tried.append(dict(layer=name, step=step, forget=score,
                              kept=forget_score.kept, found=found))
            with torch.no_grad():
                param.copy_(original)
        # Reached the threshold, then the most kept accuracy; else the
        # lowest forget accuracy.
        self.edit = max(tried, key=lambda t: (t['found'], t['kept'] if t[
            'found'] else -t['forget']))
        with torch.no_grad():
            params[self.edit['layer']].add_(self.edit['step'] *
                                            forget[self.edit['layer']])

    def loss(self, model, inputs, data_samples):
        raise RuntimeError(
            'SLUG is training-free (it edits one layer at the start of each '
            'task): set train_cfg.max_epochs=0')
