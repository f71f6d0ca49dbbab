"""Random labels on the forget data, replay of the retain data, and an
optional penalty that anchors the weights: the papers' L2, EWC and MAS.

Loss per batch: ``CE(f(x_f), y') + CE(f(x_r), y) + lambda * sum_k sum_p
Omega_k,p (theta_p - theta*_k,p)^2``, one term ``k`` per task so far, each
anchored at the weights the task started from, with Omega from that task's
retain data: 1 (L2), the empirical Fisher (EWC) or the MAS importance.
Every weight but the head trains.
"""
import torch
import torch.nn.functional as F

from mmforget.registry import METHODS
from .base import ForgettingMethod, gt_labels, split_batch, with_new_labels


def random_other_labels(labels, retain_classes, official=False,
                        num_forget_classes=None):
    """A wrong label for each forget sample.

    By default a class drawn uniformly from the task's retain classes (never
    the true one: it is being forgotten). ``official=True`` reproduces the
    papers' code: ``(y + r) mod K_f`` with r uniform in 1..100 and
    ``(y + 1) mod K_f`` if that equals y, i.e. a global id below the number
    of forget classes, whichever class that is.
    """
    if official:
        draws = torch.randint(1, 101, labels.shape)
        new = (labels.cpu() + draws) % num_forget_classes
        same = new == labels.cpu()
        new[same] = (labels.cpu()[same] + 1) % num_forget_classes
        return new.to(labels.device)
    pool = torch.as_tensor(retain_classes)
    return pool[torch.randint(len(pool), labels.shape)].to(labels.device)


class RandomLabelLosses:
    """The forget and retain terms shared by the random-label methods."""

    def __init__(self, official_random_labels=False):
        self.official_random_labels = official_random_labels
        self.retain_classes = None
        self.num_forget_classes = None

    def set_task(self, task):
        self.retain_classes = [c for c in task.retain
                               if c not in task.missing]
        self.num_forget_classes = len(task.forget)

    def forget_labels(self, labels):
        return random_other_labels(
            labels, self.retain_classes, self.official_random_labels,
            self.num_forget_classes)

    def forget_loss(self, model, feats, data_samples, forget):
        """The model's loss on the forget samples ``forget`` of the batch,
        each with a random wrong label (a detector: each forgotten box, so
        the queries matched to it learn a kept class)."""
        samples = list(data_samples)
        relabelled = with_new_labels([samples[i] for i in forget.tolist()],
                                     self.forget_labels)
        for index, sample in zip(forget.tolist(), relabelled):
            samples[index] = sample
        return model.subset_loss(feats, samples, forget)


@METHODS.register_module()
class RandomLabel(ForgettingMethod):
    """Args:
        penalty (str): None (plain random labels), 'l2', 'ewc' or 'mas'.
        penalty_weight (float): lambda.
        importance_batches (int, optional): how many retain batches estimate
            Omega (default: all of them).
        official_random_labels (bool): the papers' code's labels (see
            :func:`random_other_labels`); default False: a random retain
            class.
        retain_weight (float): weight of the retain CE (1).
        frozen (list[str]): parameter-name prefixes that never train
            (default: the head, as the papers' baselines; OPTML's RL trains
            every weight: ``frozen=[]``).
    """

    default_name = 'RL'
    penalties = (None, 'l2', 'ewc', 'mas')

    def __init__(self, penalty=None, penalty_weight=0.0,
                 importance_batches=None, official_random_labels=False,
                 retain_weight=1.0, name=None, frozen=('head.', )):
        if penalty not in self.penalties:
            raise ValueError(f'penalty must be one of {self.penalties}, '
                             f'got {penalty!r}')
        super().__init__(name=name or {
            None: 'RL', 'l2': 'L2', 'ewc': 'EWC', 'mas': 'MAS'}[penalty],
            frozen=frozen)
        self.penalty = penalty
        self.penalty_weight = penalty_weight
        self.importance_batches = importance_batches
        self.retain_weight = retain_weight
        self.labels = RandomLabelLosses(official_random_labels)
        self.anchors = []  # (theta*, Omega) per task, plain tensors

    # ---------------------------------------------------------- anchors
    def start_task(self, model, context):
        super().start_task(model, context)
        self.labels.set_task(context.task)
        self.set_trainable(model)
        if self.penalty is not None:
            self.anchors.append(self._anchor(model, context))

    def resume(self, model, context, finished_tasks):
        """Rebuild the anchors of the finished tasks from the weights each
        started from (the pre-trained ones, then ``task_<t-1>.pth``)."""
        if self.penalty is None:
            return
        for index in range(finished_tasks):
            if index:
                context.load_released_task(index - 1)
            self.set_trainable(model)
            self.task_index = index
            self.anchors.append(self._anchor(model, context, index))

    def _anchor(self, model, context, task_index=None):
        params = {n: p for n, p in model.named_parameters()
                  if p.requires_grad}
        anchor = {n: p.detach().clone() for n, p in params.items()}
        if self.penalty == 'l2':
            omega = {n: torch.ones_like(p) for n, p in params.items()}
        else:
            omega = self.importance(model, params, context.task_data_loader(
                'retain', task_index=task_index))
        return anchor, omega

    def importance(self, model, params, dataloader):
        """EWC: ``(B / N) sum_batches g^2``, g the gradient of the batch-mean
        CE (the papers' mini-batch empirical Fisher). MAS: ``(1 / N)
        sum_batches |d mean(f(x)^2) / d theta|``. Model in eval mode."""
        was_training = model.training
        model.eval()
        omega = {n: torch.zeros_like(p) for n, p in params.items()}
        num_batches = 0
        for data in dataloader:
            if (self.importance_batches is not None
                    and num_batches >= self.importance_batches):
                break
            data = model.data_preprocessor(data, False)
            inputs, samples = data['inputs'], data['data_samples']
            logits = model.logits(model.extract_feat(inputs))
            if self.penalty == 'ewc':
                value = F.cross_entropy(logits,
                                        gt_labels(samples, logits.device))
                scale = len(samples)
            else:
                value = logits.pow(2).mean()
                scale = 1
            grads = torch.autograd.grad(value, list(params.values()),
                                        allow_unused=True)
            for (name, _), grad in zip(params.items(), grads):
                if grad is not None:
                    omega[name] += (grad.pow(2) * scale if self.penalty ==
                                    'ewc' else grad.abs())
            num_batches += 1
        model.train(was_training)
        return {n: o / max(num_batches, 1) for n, o in omega.items()}

    def penalty_loss(self, model):
        """``sum_k sum_p Omega_k,p (theta_p - theta*_k,p)^2``."""
        params = dict(model.named_parameters())
        total = 0.
        for anchor, omega in self.anchors:
            for name, theta_star in anchor.items():
                total = total + (omega[name] *
                                 (params[name] - theta_star).pow(2)).sum()
        return total

    # ------------------------------------------------------------- loss
    def loss(self, model, inputs, data_samples):
        feats = model.extract_feat(inputs)
        forget, retain = split_batch(data_samples)
        losses = dict()
        if len(forget):
            losses['loss_forget'] = self.labels.forget_loss(
                model, feats, data_samples, forget)
        if len(retain):
            losses['loss_retain'] = self.retain_weight * model.subset_loss(
                feats, data_samples, retain)
        if self.penalty is not None:
            losses['loss_penalty'] = (self.penalty_weight *
                                      self.penalty_loss(model))
        return losses


@METHODS.register_module()
class L2(RandomLabel):
    """Random labels + replay + ``lambda * ||theta - theta*||^2``."""

    def __init__(self, penalty_weight=0.1, **kwargs):
        super().__init__(penalty='l2', penalty_weight=penalty_weight,
                         **kwargs)


@METHODS.register_module()
class EWC(RandomLabel):
    """Random labels + replay + the empirical-Fisher weighted anchor."""

    model_kinds = ('classifier', )  # reads its embedding or logits

    def __init__(self, penalty_weight=10.0, **kwargs):
        super().__init__(penalty='ewc', penalty_weight=penalty_weight,
                         **kwargs)


@METHODS.register_module()
class MAS(RandomLabel):
    """Random labels + replay + the MAS-importance weighted anchor."""

    model_kinds = ('classifier', )  # reads its embedding or logits

    def __init__(self, penalty_weight=0.005, **kwargs):
        super().__init__(penalty='mas', penalty_weight=penalty_weight,
                         **kwargs)
