"""Random labels on the forget data while a frozen teacher holds the retain
data in place: the papers' LwF, DER, DER++ and FDR as one method.

Loss per batch: ``CE(f(x_f), y')`` plus, on the retain samples,
``retain_weight * CE(f(x_r), y)`` (LwF, DER++),
``kd_weight * T^2 * KL(p_t / T || p_s / T)`` (LwF),
``embedding_weight * sum ||h_s - h_t||^2`` (DER: summed over the batch, on
the embeddings the head classifies) and
``logit_weight * mean ||f_s - f_t||_2`` (FDR: the norm, not squared, of the
logit difference). The teacher is a frozen copy of the original model made
before the first task (``teacher='previous_task'``: of the weights each task
starts from); it is held by the method, never trained and never saved.
Every weight but the head trains.
"""
import torch.nn.functional as F

from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch
from .random_label import RandomLabelLosses


def distillation_kl(student_logits, teacher_logits, temperature):
    """``T^2 * KL(softmax(t / T) || softmax(s / T))``, batch mean."""
    log_student = F.log_softmax(student_logits / temperature, dim=1)
    log_teacher = F.log_softmax(teacher_logits / temperature, dim=1)
    return F.kl_div(log_student, log_teacher, log_target=True,
                    reduction='batchmean') * temperature**2


@METHODS.register_module()
class TeacherDistillation(ForgettingMethod):
    """Args:
        retain_weight (float): weight of the retain CE.
        kd_weight (float): weight of the logit distillation (LwF).
        temperature (float): its temperature (2).
        embedding_weight (float): weight of the summed squared embedding
            distance (DER).
        logit_weight (float): weight of the mean logit L2 distance (FDR).
        teacher (str): 'original' (the papers') or 'previous_task'.
        official_lwf (bool): the papers' LwF, whose distillation is always
            0 (it takes the log of a log-softmax, gets NaN and zeroes it):
            the KD term is dropped. Default False: the KD as intended.
        official_random_labels (bool): see ``random_other_labels``.
    """

    model_kinds = ('classifier', )  # reads its embedding or logits

    default_name = 'teacher distillation'

    def __init__(self, retain_weight=0.0, kd_weight=0.0, temperature=2.0,
                 embedding_weight=0.0, logit_weight=0.0, teacher='original',
                 official_lwf=False, official_random_labels=False,
                 name=None):
        if teacher not in ('original', 'previous_task'):
            raise ValueError("teacher must be 'original' or "
                             f"'previous_task', got {teacher!r}")
        super().__init__(name=name)
        self.retain_weight = retain_weight
        self.kd_weight = 0.0 if official_lwf else kd_weight
        self.temperature = temperature
        self.embedding_weight = embedding_weight
        self.logit_weight = logit_weight
        self.teacher_source = teacher
        self.labels = RandomLabelLosses(official_random_labels)
        self.teacher = None

    def before_tasks(self, model, context):
        self.teacher = model.frozen_copy()

    def start_task(self, model, context):
        super().start_task(model, context)
        self.labels.set_task(context.task)
        if self.teacher_source == 'previous_task' and self.task_index > 0:
            self.teacher = model.frozen_copy()

    def loss(self, model, inputs, data_samples):
        feats = model.extract_feat(inputs)
        forget, retain = split_batch(data_samples)
        losses = dict()
        if len(forget):
            losses['loss_forget'] = self.labels.forget_loss(
                model, feats, data_samples, forget)
        if not len(retain):
            return losses
        retain_feats = tuple(f[retain] for f in feats)
        retain_samples = [data_samples[i] for i in retain.tolist()]
        if self.retain_weight:
            losses['loss_retain'] = self.retain_weight * model.head.loss(
                retain_feats, retain_samples)['loss']
        if self.kd_weight or self.embedding_weight or self.logit_weight:
            teacher_feats = self.teacher.extract_feat(inputs[retain])
            if self.embedding_weight:
                distance = (model.head.pre_logits(retain_feats) -
                            self.teacher.head.pre_logits(teacher_feats))
                losses['loss_embedding'] = (self.embedding_weight *
                                            distance.pow(2).sum())
            if self.kd_weight or self.logit_weight:
                student = model.logits(retain_feats)
                teacher = self.teacher.logits(teacher_feats)
                if self.kd_weight:
                    losses['loss_kd'] = self.kd_weight * distillation_kl(
                        student, teacher, self.temperature)
                if self.logit_weight:
                    losses['loss_logit'] = self.logit_weight * (
                        student - teacher).norm(dim=1).mean()
        return losses


@METHODS.register_module()
class LwF(TeacherDistillation):
    """Random labels + retain CE + logit distillation (T = 2)."""

    default_name = 'LwF'

    def __init__(self, retain_weight=10.0, kd_weight=0.5, **kwargs):
        super().__init__(retain_weight=retain_weight, kd_weight=kd_weight,
                         **kwargs)


@METHODS.register_module()
class DER(TeacherDistillation):
    """Random labels + the summed squared embedding distance."""

    default_name = 'DER'

    def __init__(self, embedding_weight=0.01, **kwargs):
        super().__init__(embedding_weight=embedding_weight, **kwargs)


@METHODS.register_module()
class DERPlusPlus(TeacherDistillation):
    """DER + a retain CE (the papers draw a second retain batch for it;
    here it is the same retain samples)."""

    default_name = 'DER++'

    def __init__(self, embedding_weight=0.005, retain_weight=0.005,
                 **kwargs):
        super().__init__(embedding_weight=embedding_weight,
                         retain_weight=retain_weight, **kwargs)


@METHODS.register_module()
class FDR(TeacherDistillation):
    """Random labels + the mean L2 distance of the logits."""

    default_name = 'FDR'

    def __init__(self, logit_weight=50.0, **kwargs):
        super().__init__(logit_weight=logit_weight, **kwargs)
