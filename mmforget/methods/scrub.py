"""SCRUB and SCRUB-S: a student moves away from a frozen teacher on the
forget data (max step) and stays with it on the retain data (min step).

Epochs come in cycles (the papers: 10 inner epochs per "superepoch"); in the
first ``max_epochs_per_cycle`` epochs of a cycle each batch gets a max step
on its forget samples, ``-KL_T + p * dist``, then a min step on its retain
samples, ``gamma * CE + alpha * KL_T + p * dist``; in the other epochs only
the min step. ``KL_T = T^2 KL(p_t / T || p_s / T)`` (batch mean), forget
samples keep their true labels. SCRUB-S adds the smoothing ``p > 0``: the
sum over weight tensors of ``||theta - theta_swa||_F``, the anchor
``theta_swa <- 0.9 theta_swa + 0.1 theta`` being updated once per cycle.
Every weight but the head trains.
"""
import torch

from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch
from .teacher_distillation import distillation_kl


def subset_batch(data, indices):
    """The samples ``indices`` of a collated (not yet preprocessed)
    batch."""
    return dict(inputs=[data['inputs'][i] for i in indices],
                data_samples=[data['data_samples'][i] for i in indices])


@METHODS.register_module()
class SCRUB(ForgettingMethod):
    """Args:
        retain_weight (float): gamma, weight of the retain CE (0.99).
        kd_weight (float): alpha, weight of the retain KL (0.001).
        smoothing (float): p (0 = SCRUB; SCRUB-S: 0.1).
        temperature (float): T (2).
        cycle_epochs (int): epochs per cycle (10).
        max_epochs_per_cycle (int): epochs with max steps at the start of
            each cycle (5).
        swa_decay (float): 0.9.
    """

    model_kinds = ('classifier', )  # reads its embedding or logits

    default_name = 'SCRUB'

    def __init__(self, retain_weight=0.99, kd_weight=0.001, smoothing=0.0,
                 temperature=2.0, cycle_epochs=10, max_epochs_per_cycle=5,
                 swa_decay=0.9, name=None):
        if not 0 <= max_epochs_per_cycle <= cycle_epochs:
            raise ValueError(
                f'max_epochs_per_cycle ({max_epochs_per_cycle}) must be in '
                f'0..cycle_epochs ({cycle_epochs})')
        super().__init__(name=name or ('SCRUB-S' if smoothing else None))
        self.retain_weight = retain_weight
        self.kd_weight = kd_weight
        self.smoothing = smoothing
        self.temperature = temperature
        self.cycle_epochs = cycle_epochs
        self.max_epochs_per_cycle = max_epochs_per_cycle
        self.swa_decay = swa_decay
        self.teacher = None
        self.swa = None
        self.phase = 'min'
        self.max_steps = False

    def before_tasks(self, model, context):
        self.teacher = model.frozen_copy()

    def start_task(self, model, context):
        super().start_task(model, context)
        self._model = model
        self.set_trainable(model)
        self.swa = {n: p.detach().clone()
                    for n, p in model.named_parameters() if p.requires_grad}

    def before_epoch(self, epoch):
        position = epoch % self.cycle_epochs
        self.max_steps = position < self.max_epochs_per_cycle
        if position == 0 and epoch > 0:
            self._update_swa()

    def _update_swa(self):
        params = dict(self._model.named_parameters())
        for name, value in self.swa.items():
            value.mul_(self.swa_decay).add_(params[name].detach(),
                                            alpha=1 - self.swa_decay)

    def train_step(self, model, data, optim_wrapper):
        """A max step on the forget samples (in max epochs), then a min step
        on the retain samples, each a full optimizer step."""
        forget, retain = split_batch(data['data_samples'])
        log = dict()
        if self.max_steps and len(forget):
            self.phase = 'max'
            log.update(model.train_step(subset_batch(data, forget.tolist()),
                                        optim_wrapper=optim_wrapper))
        if len(retain):
            self.phase = 'min'
            log.update(model.train_step(subset_batch(data, retain.tolist()),
                                        optim_wrapper=optim_wrapper))
        return log

    def smoothing_distance(self, model):
        if not self.smoothing:
            return 0.
        params = dict(model.named_parameters())
        return self.smoothing * sum(
            (params[n] - anchor).norm() for n, anchor in self.swa.items())

    def loss(self, model, inputs, data_samples):
        feats = model.extract_feat(inputs)
        with torch.no_grad():
            teacher_logits = self.teacher.logits(
                self.teacher.extract_feat(inputs))
        kl = distillation_kl(model.logits(feats), teacher_logits,
                             self.temperature)
        if self.phase == 'max':
            losses = dict(loss_forget_kl=-kl)
        else:
            losses = dict(
                loss_retain=self.retain_weight * model.head.loss(
                    feats, data_samples)['loss'],
                loss_retain_kl=self.kd_weight * kl)
        if self.smoothing:
            losses['loss_smoothing'] = self.smoothing_distance(model)
        return losses


@METHODS.register_module()
class SCRUBS(SCRUB):
    """SCRUB-S: SCRUB with the smoothing towards the weight average."""

    def __init__(self, smoothing=0.1, **kwargs):
        super().__init__(smoothing=smoothing, **kwargs)
