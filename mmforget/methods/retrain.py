"""Retrain: the reference every forgetting method is measured against.

FT from a fresh initialisation: each task starts from the model as its
config builds it, without the pre-trained checkpoint, and trains every
weight on the retained classes' training data with the pre-training
recipe; no forget sample is ever read (the loop gives it retain samples
only).
"""
import copy

import torch
from mmengine.registry import MODELS

from mmforget.registry import METHODS
from .base import split_batch
from .fine_tune import FineTune
from .teacher_distillation import distillation_kl


# mmdet's DETRs write these into their ``bbox_head`` config when they are
# built (and refuse a config that has them), so a built config must lose them.
DETR_HEAD_KEYS = ('share_pred_layer', 'num_pred_layer', 'as_two_stage')


@METHODS.register_module()
class Retrain(FineTune):
    """Args:
        name (str): default 'Retrain'.

    Use it with the pre-training optimizer, schedule, epochs and augmentation
    and ``data_ratio=1`` (a true retrain); the papers' variant trains on
    the same 10 % / 5 % subset as the other methods (``data_ratio``).
    Detectors: the retained classes' boxes of every image showing one
    (``mem_rate=1``); forgotten objects are background.
    """

    default_name = 'Retrain'

    def before_tasks(self, model, context):
        self.model_cfg = copy.deepcopy(context.model_cfg)
        self.model_cfg['pretrained'] = None
        if 'lora' in self.model_cfg:
            self.model_cfg['lora'] = None
        for key in DETR_HEAD_KEYS:
            self.model_cfg.get('bbox_head', {}).pop(key, None)

    def start_task(self, model, context):
        super().start_task(model, context)
        fresh = MODELS.build(copy.deepcopy(self.model_cfg))
        fresh.init_weights()
        missing, unexpected = model.load_state_dict(fresh.state_dict(),
                                                    strict=False)
        if unexpected or any('lora_' not in k for k in missing):
            raise RuntimeError(
                f'Retrain: the fresh model does not fit the trained one '
                f'(missing {missing}, unexpected {unexpected})')


@METHODS.register_module()
class DistilledRetrain(Retrain):
    """Retrain that learns the kept classes from the model it replaces.

    Each task starts, as Retrain, from a fresh initialisation and reads no
    forget sample; besides the CE it matches the softened scores that the
    model of the task's start gives the kept classes on the same retain
    batch: ``CE + distill_weight * T^2 * KL(p_t || p_s)``, both softmaxes
    over the kept classes only, so the teacher's scores of the forgotten
    classes never reach the student. The teacher's kept-class soft labels
    let a shorter schedule reach Retrain's accuracy: every weight has been
    trained on retain images only, so it relearns like Retrain, where an
    edit of the original keeps what the forgotten classes left in its
    weights. The teacher is held by the method, never trained, never
    saved (classifiers only).

    Args:
        distill_weight (float): weight of the distillation (> 0).
        temperature (float): its temperature (> 0).
        name (str): default 'Retrain, distilled'.
    """

    default_name = 'Retrain, distilled'
    model_kinds = ('classifier', )

    def __init__(self, distill_weight=1.0, temperature=2.0, name=None):
        if not distill_weight > 0 or not temperature > 0:
            raise ValueError(
                f'{name or self.default_name}: distill_weight and temperature '
                f'must be > 0, got {distill_weight} and {temperature} (for '
                "no distillation use type='mmforget.Retrain')")
        super().__init__(name=name)
        self.distill_weight = float(distill_weight)
        self.temperature = float(temperature)
        self.teacher = None
        self.kept = None

    def start_task(self, model, context):
        """The teacher is the model as the task receives it, before the
        fresh initialisation."""
        self.teacher = model.frozen_copy()
        self.kept = torch.as_tensor(sorted(context.task.retain))
        super().start_task(model, context)

    def loss(self, model, inputs, data_samples):
        forget, _ = split_batch(data_samples)
        if len(forget):
            raise RuntimeError(f'{self.name} received forget samples')
        feats = model.extract_feat(inputs)
        with torch.no_grad():
            teacher = self.teacher.logits(self.teacher.extract_feat(inputs))
        kept = self.kept.to(teacher.device)
        return dict(
            loss_retain=model.head.loss(feats, data_samples)['loss'],
            loss_distill=self.distill_weight * distillation_kl(
                model.logits(feats)[:, kept], teacher[:, kept],
                self.temperature))

    def finish_task(self, model):
        self.teacher = None  # never released
