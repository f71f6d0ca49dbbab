"""MetaUnlearn (1-SHUI): one gradient step of a learned loss on the single
portrait of each forgotten class.

A small network h_phi reads a sample's class probabilities and embedding
and gives a non-negative loss; forgetting is one step on every weight,
``theta_u = theta - eta * grad mean_{x in S} h_phi(f_theta(x))``, over the
request's portraits S. h_phi is meta-trained at the start of every task on
simulated requests among the kept classes only (their data is what a
request leaves): a group of kept classes, one portrait each, is forgotten
by the step through a differentiable graph, and the outer loss asks the
group's other images to look as unfamiliar, after the step, as never-seen
images look to the model before it (smooth-L1 between their mean top
probabilities), while the other kept classes keep their cross-entropy.
Never-seen images: kept images with every square tile turned a quarter
turn (``turn_tiles``), glyphs the model never learnt; 1-SHUI's are real
never-trained identities. Departures, named: no per-identity embedding in
h_phi (a request names classes, not training identities), h_phi trained
afresh per task on that task's kept classes (1-SHUI trains it once, on
every training identity, the later-forgotten ones included), the retain
term on (1-SHUI's ``use_retain``).
"""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call
from torch.nn.attention import SDPBackend, sdpa_kernel
from mmengine.logging import print_log

from mmforget.datasets.turned_tiles import turn_tiles
from mmforget.registry import METHODS
from .base import ForgettingMethod, refuse_training


class LossNetwork(nn.Module):
    """h_phi: softmax(logits) and the embedding in, one loss per batch out
    (1-SHUI's layers: Linear, LayerNorm, Linear, GELU, Dropout, LayerNorm,
    Linear, Softplus; the batch mean)."""

    def __init__(self, num_classes, embed_dims, hidden=512, dropout=0.5):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(num_classes + embed_dims, hidden), nn.LayerNorm(hidden),
            nn.Linear(hidden, hidden), nn.GELU(), nn.Dropout(dropout),
            nn.LayerNorm(hidden), nn.Linear(hidden, 1), nn.Softplus())

    def forward(self, logits, embeddings):
        return self.layers(torch.cat([logits.softmax(-1), embeddings],
                                     dim=-1)).mean()


class _LogitsAndEmbeddings(nn.Module):
    """A classifier's logits and embedding as one forward, so that it can
    run with replaced weights (``functional_call``)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, inputs):
        feats = self.model.extract_feat(inputs)
        return self.model.logits(feats), self.model.head.pre_logits(feats)


def unlearning_step(model, loss_network, inputs, step_size,
                    create_graph=False, params=None):
    """``{name: theta - eta * grad}`` of one step of ``loss_network``'s loss
    on ``inputs``, from ``params`` (default: the model's weights)."""
    wrapped = _LogitsAndEmbeddings(model)
    if params is None:  # the model's weights, as leaves of this step
        params = {f'model.{n}': p.detach().requires_grad_(True)
                  for n, p in model.named_parameters()}
    logits, embeddings = functional_call(wrapped, params, (inputs, ))
    loss = loss_network(logits, embeddings)
    grads = torch.autograd.grad(loss, list(params.values()),
                                create_graph=create_graph, allow_unused=True)
    return {name: p if g is None else p - step_size * g
            for (name, p), g in zip(params.items(), grads)}


@METHODS.register_module()
class MetaUnlearn(ForgettingMethod):
    """Args:
        step_size (float): eta of the forgetting step (1-SHUI: 0.1).
        meta_steps (int): simulated requests h_phi trains on per task.
        meta_lr (float): h_phi's AdamW learning rate (1-SHUI: 1e-4).
        group_size (int, optional): classes per simulated request (default:
            the task's forget count, at most half the kept classes).
        images_per_class (int): a simulated group's images scored after
            the step, per class.
        retain_batch (int): kept images of the other classes per meta step.
        retain_weight (float): their cross-entropy's weight.
        hidden (int): h_phi's width.
    """

    default_name = 'MetaUnlearn'
    model_kinds = ('classifier', )

    def __init__(self, step_size=0.1, meta_steps=200, meta_lr=1e-4,
                 group_size=None, images_per_class=4, retain_batch=32,
                 retain_weight=1.0, hidden=512, name=None):
        super().__init__(name=name, frozen=())
        self.step_size, self.meta_steps = step_size, meta_steps
        self.meta_lr, self.group_size = meta_lr, group_size
        self.images_per_class = images_per_class
        self.retain_batch, self.retain_weight = retain_batch, retain_weight
        self.hidden = hidden

    def before_tasks(self, model, context):
        """Refuse, before anything runs, a schedule that trains and images
        whose tiles cannot be turned (the never-seen reference)."""
        refuse_training(self, context)
        for data in context.task_data_loader('retain'):
            turn_tiles(model.data_preprocessor(data, False)['inputs'][:1])
            break

    @staticmethod
    def read(model, loader):
        """(inputs, labels) of every batch of ``loader``, preprocessed."""
        inputs, labels = [], []
        for data in loader:
            data = model.data_preprocessor(data, False)
            inputs.append(data['inputs'])
            labels.append(torch.cat([s.gt_label for s in
                                     data['data_samples']]).to(
                                         data['inputs'].device))
        return torch.cat(inputs), torch.cat(labels)

    def start_task(self, model, context):
        super().start_task(model, context)
        torch.manual_seed(context.task_seed)
        was_training = model.training
        model.eval()  # no dropout in the step; h_phi trains in train mode
        kept, kept_labels = self.read(model, context.task_data_loader(
            'retain'))
        portraits, _ = self.read(model, context.task_data_loader('forget'))
        loss_network = self.meta_train(model, kept, kept_labels,
                                       len(context.task.forget))
        loss_network.eval()
        stepped = unlearning_step(model, loss_network, portraits,
                                  self.step_size)
        with torch.no_grad():
            for name, param in model.named_parameters():
                param.copy_(stepped[f'model.{name}'])
        model.train(was_training)

    def meta_train(self, model, kept, labels, forget_count):
        """h_phi, trained on simulated requests among the kept classes."""
        classes = sorted(set(labels.tolist()))
        group = min(self.group_size or forget_count, len(classes) // 2)
        if group < 1:
            raise ValueError(
                f'{self.name} meta-trains on simulated requests among the '
                f'kept classes, which needs at least 2; this task keeps '
                f'{len(classes)}')
        with torch.no_grad():
            embed_dims = model.head.pre_logits(model.extract_feat(
                kept[:1])).shape[-1]
        loss_network = LossNetwork(model.head.num_classes, embed_dims,
                                   self.hidden).to(kept.device)
        optimizer = torch.optim.AdamW(loss_network.parameters(),
                                      lr=self.meta_lr, amsgrad=True)
        by_class = {c: torch.nonzero(labels == c).flatten() for c in classes}
        rng = random.Random(0)
        for step in range(self.meta_steps):
            forgotten = rng.sample(classes, group)
            support, query = [], []
            for c in forgotten:
                order = by_class[c][torch.randperm(len(by_class[c]))]
                support.append(order[:1])
                query.append(order[1:1 + self.images_per_class])
            others = torch.nonzero(~torch.isin(labels, torch.tensor(
                forgotten, device=labels.device))).flatten()
            others = others[torch.randperm(len(others))[:self.retain_batch]]
            # Second order through attention: the math kernel has it.
            with sdpa_kernel([SDPBackend.MATH]):
                loss = self.meta_loss(model, loss_network, kept,
                                      torch.cat(support), torch.cat(query),
                                      others, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if (step + 1) % 50 == 0 or step + 1 == self.meta_steps:
                print_log(f'{self.name}: meta step {step + 1}/'
                          f'{self.meta_steps}, outer loss {float(loss):.4f}',
                          logger='current')
        return loss_network

    def meta_loss(self, model, loss_network, kept, support, query, others,
                  labels):
        """Unfamiliarity of the forgotten group's query images after the
        step (their mean top probability against never-seen images') plus
        the other kept classes' cross-entropy after it."""
        loss_network.train()
        stepped = unlearning_step(model, loss_network, kept[support],
                                  self.step_size, create_graph=True)
        wrapped = _LogitsAndEmbeddings(model)
        query_logits, _ = functional_call(wrapped, stepped,
                                          (kept[query], ))
        with torch.no_grad():
            never_seen, _ = wrapped(turn_tiles(kept[others]))
        target = never_seen.softmax(-1).amax(-1).mean()
        unfamiliar = F.smooth_l1_loss(
            query_logits.softmax(-1).amax(-1).mean(), target)
        other_logits, _ = functional_call(wrapped, stepped, (kept[others], ))
        return unfamiliar + self.retain_weight * F.cross_entropy(
            other_logits, labels[others])
