"""UNDO: noise the weights towards a fresh initialisation, then distil.

UNDO (Lee et al., NeurIPS 2025, "Distillation robustifies unlearning")
unlearns, moves every weight part of the way to a random initialisation
and distils the unlearned model's outputs into the noised one. What an
edit of the original leaves in the weights (the features that still read
the forgotten classes, the fast relearning) is damaged by the noise, and
the distillation rebuilds only what the teacher shows on the data it is
given. Here the unlearning is the head edit: the teacher is the model the
task starts from, its scores read over the kept classes only (the
forgotten classes' scores never reach the student), on retain images
only; the student starts at ``(1 - noise) * trained + noise * fresh`` and
trains every weight with ``CE + distill_weight * T^2 * KL(p_t || p_s)``.
``noise`` sets how deep the forgetting goes against how much training the
task needs: at 1 it is a Retrain with a teacher. No forget sample is read.
A detector takes the no-teacher form (``distill_weight=0``): the noised
start trains with the detector's own loss on the kept classes' boxes.
"""
import torch

from mmforget.models.interface import model_kind
from mmforget.registry import METHODS
from .base import split_batch
from .head_reset import HeadReset
from .retrain import Retrain
from .teacher_distillation import distillation_kl


@METHODS.register_module()
class UNDO(Retrain):
    """Noise towards a fresh initialisation, then distil the kept classes.

    Built on Retrain, whose fresh initialisation (the config's model, no
    checkpoint) is the end the weights are noised towards. The teacher is
    held by the method, never trained, never saved (classifiers only: a
    detector runs without one, ``distill_weight=0``).

    Args:
        distill_weight (float): weight of the distillation; 0: no teacher
            (the noised start trained with Retrain's loss alone, each step
            a forward pass cheaper).
        temperature (float): its temperature (> 0).
        noise (float): how far towards the fresh initialisation the task
            starts, from 0 (the trained weights) to 1 (a fresh
            initialisation: a Retrain with a teacher); every tensor starts at
            ``(1 - noise) * trained + noise * fresh``.
        noise_by_prefix (dict, optional): another noise for the tensors
            whose names start with a prefix, e.g. ``{'backbone.layers.0.':
            0.5}`` (the first matching prefix wins; the rest take
            ``noise``): less noise where the features do not tell the
            forgotten classes apart, more where they do.
        reset_forgotten_rows (bool | dict): noise the head-edited model, as
            UNDO noises the unlearned one: the task's forgotten rows of the
            head are set to Head reset's values first, so they start at
            ``noise * fresh`` with nothing of their trained values
            (default False: the trained rows are noised like the rest). A
            dict gives Head reset's arguments, e.g. ``dict(bias=-30.0)``,
            the detectors' removed logit.
        noise_by_forgotten_share (bool): scale every noise by the share of
            the classes forgotten so far, this task's included (0.2 after
            the first of four tasks of 20 out of 100, 0.8 after the last):
            a request that leaves many classes to rebuild starts near the
            trained weights, one that leaves few near a fresh start. The
            noise a budget can rebuild depends on how many classes are
            kept. ``noise`` is then the noise of forgetting every class
            and may exceed 1 (default False: every task takes ``noise``).
        most_noise (float): no tensor starts more than this far towards
            the fresh weights (default 1): with the share rule, a scale
            above 1 reaches this noise before the last task and stays
            there.
        name (str): default 'UNDO'.
    """

    default_name = 'UNDO'
    model_kinds = ('classifier', 'detector')

    def __init__(self, distill_weight=1.0, temperature=2.0, noise=0.7,
                 noise_by_prefix=None, reset_forgotten_rows=False,
                 noise_by_forgotten_share=False, most_noise=1.0,
                 name=None):
        if not distill_weight >= 0 or not temperature > 0:
            raise ValueError(
                f'{name or self.default_name}: distill_weight must be >= 0 '
                f'and temperature > 0, got {distill_weight} and {temperature}')
        noise_by_prefix = dict(noise_by_prefix or {})
        # Scaled by a share <= 1 and capped by most_noise, the share rule's
        # noise may exceed 1; a fixed noise may not.
        top = float('inf') if noise_by_forgotten_share else 1
        for value in (noise, *noise_by_prefix.values()):
            if not 0 <= value <= top:
                raise ValueError(
                    f'{name or self.default_name}: noise is the fraction of '
                    'the way to a fresh initialisation, in [0, 1] (any '
                    'value >= 0 with noise_by_forgotten_share); got '
                    f'{value}')
        if not 0 <= most_noise <= 1:
            raise ValueError(
                f'{name or self.default_name}: most_noise must be in [0, 1], '
                f'got {most_noise}')
        super().__init__(name=name)
        self.distill_weight = float(distill_weight)
        self.temperature = float(temperature)
        self.noise = float(noise)
        self.noise_by_prefix = {k: float(v) for k, v in noise_by_prefix.items()}
        self.head_edit = None
        if reset_forgotten_rows:
            self.head_edit = HeadReset(**(
                reset_forgotten_rows if isinstance(reset_forgotten_rows, dict)
                else {}))
        self.noise_by_forgotten_share = bool(noise_by_forgotten_share)
        self.most_noise = float(most_noise)
        self.noise_scale = 1.0
        self.teacher = None
        self.kept = None

    def check_model(self, model):
        """The teacher reads a classifier's class scores: a detector runs
        without one (refused before training otherwise)."""
        super().check_model(model)
        if self.distill_weight and model_kind(model) == 'detector':
            raise TypeError(
                f'{self.name}: the teacher distils a classifier\'s class '
                f'scores, and {type(model).__name__} is a detector; set '
                'train_cfg.method.distill_weight=0 (no teacher: the noised '
                'start trains on the kept classes\' boxes)')
        if self.head_edit is not None:
            self.head_edit.class_layers(model)

    def start_task(self, model, context):
        """The teacher is the model as the task receives it, before the
        fresh initialisation."""
        if self.distill_weight:
            self.teacher = model.frozen_copy()
        task = context.task
        self.kept = torch.as_tensor(sorted(task.retain))
        if self.noise_by_forgotten_share:
            gone = len(task.forget) + len(task.old)
            self.noise_scale = gone / (gone + len(task.retain))
        if self.head_edit is not None:
            self.head_edit.reset_rows(model, context.task.forget)
        super().start_task(model, context)

    def noise_of(self, name):
        """The noise of the tensor ``name`` in this task."""
        value = self.noise
        for prefix, prefix_noise in self.noise_by_prefix.items():
            if name.startswith(prefix):
                value = prefix_noise
                break
        return min(value * self.noise_scale, self.most_noise)

    def start_state(self, model):
        """``(1 - noise) * trained + noise * fresh``, tensor by tensor."""
        fresh = self.fresh_state()
        trained = model.state_dict()
        start = {}
        for name, tensor in fresh.items():
            noise = self.noise_of(name)
            if tensor.is_floating_point() and name in trained and noise < 1:
                tensor = (1 - noise) * trained[name].to(tensor) + \
                    noise * tensor
            start[name] = tensor
        return start

    def loss(self, model, inputs, data_samples):
        forget, _ = split_batch(data_samples)
        if len(forget):
            raise RuntimeError(f'{self.name} received forget samples')
        if not self.distill_weight:  # Retrain's loss: a detector's too
            return super().loss(model, inputs, data_samples)
        feats = model.extract_feat(inputs)
        loss_retain = model.head.loss(feats, data_samples)['loss']
        with torch.no_grad():
            teacher = self.teacher.logits(self.teacher.extract_feat(inputs))
        kept = self.kept.to(teacher.device)
        return dict(
            loss_retain=loss_retain,
            loss_distill=self.distill_weight * distillation_kl(
                model.logits(feats)[:, kept], teacher[:, kept],
                self.temperature))

    def finish_task(self, model):
        self.teacher = None  # never released
