"""SCAR: retain-free forgetting with out-of-distribution surrogate images.

No retain image is read (the retain half of each batch is dropped). At the
start of a task a frozen copy f0 of the model labels every surrogate image
with its best kept class; those pseudo-labelled embeddings give each kept
class a mean and a covariance, shrunk towards the pooled one's scaled
identity so few images still give an invertible matrix. Each forget
embedding is pulled towards the kept class nearest to it in Mahalanobis
distance (never its own: it is being forgotten), and the predictions on
surrogate images are kept close to f0's by the Jensen-Shannon divergence:
``lambda_f * mean d_M(h(x_f), c*) + lambda_d * JS(softmax(f(x_o) / T),
softmax(f0(x_o) / T))``. Every weight trains.

The authors' code is not public: this follows the paper's description, and
the class statistics from pseudo-labelled surrogate images, the shrinkage
and the defaults are this implementation's choices.
"""
import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS
from torch.utils.data import DataLoader

from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch, zero_loss


def js_divergence(logits, reference_logits, temperature=1.0):
    """Batch-mean Jensen-Shannon divergence (natural log) between the
    softmaxes of ``logits / T`` and ``reference_logits / T``."""
    log_p = F.log_softmax(logits / temperature, dim=1)
    log_q = F.log_softmax(reference_logits / temperature, dim=1)
    log_m = torch.logsumexp(torch.stack([log_p, log_q]), dim=0) - \
        torch.log(torch.tensor(2.0))
    kl_pm = (log_p.exp() * (log_p - log_m)).sum(dim=1)
    kl_qm = (log_q.exp() * (log_q - log_m)).sum(dim=1)
    return (0.5 * (kl_pm + kl_qm)).mean()


def class_gaussians(embeddings, labels, shrinkage):
    """{class: (mean, precision)} of the classes in ``labels``; each
    covariance is ``(1 - s) * S_c + s * tr(S) / d * I`` (S: the pooled
    covariance, used as S_c for a class with one embedding)."""
    dims = embeddings.shape[1]
    pooled = torch.cov(embeddings.T) if len(embeddings) > 1 else \
        torch.eye(dims, dtype=embeddings.dtype)
    ridge = pooled.trace().clamp(min=1e-6) / dims * torch.eye(
        dims, dtype=embeddings.dtype, device=embeddings.device)
    gaussians = {}
    for label in labels.unique().tolist():
        members = embeddings[labels == label]
        covariance = torch.cov(members.T) if len(members) > 1 else pooled
        covariance = (1 - shrinkage) * covariance + shrinkage * ridge
        gaussians[label] = (members.mean(dim=0),
                            torch.linalg.inv(covariance))
    return gaussians


def nearest_gaussian_distance(embeddings, means, precisions):
    """Per embedding, the Mahalanobis distance to the nearest of the
    Gaussians (``means`` C x d, ``precisions`` C x d x d), and which."""
    diff = embeddings[:, None] - means[None]  # N x C x d
    squared = torch.einsum('ncd,cde,nce->nc', diff, precisions, diff)
    nearest = squared.detach().argmin(dim=1)
    chosen = squared.gather(1, nearest[:, None]).squeeze(1)
    return chosen.clamp(min=1e-12).sqrt(), nearest


@METHODS.register_module()
class SCAR(ForgettingMethod):
    """Args:
        surrogate (dict): the dataset of out-of-distribution images, with a
            pipeline giving the model's input size (labels are not read).
        forget_weight (float): lambda_f.
        distill_weight (float): lambda_d.
        temperature (float): T of the distillation.
        shrinkage (float): the covariance shrinkage s in [0, 1].
        batch_size (int): surrogate images per step.
    """

    model_kinds = ('classifier', )  # reads its embedding or logits

    default_name = 'SCAR'

    def __init__(self, surrogate, forget_weight=1.0, distill_weight=1.0,
                 temperature=1.0, shrinkage=0.1, batch_size=32,
                 name=None):
        super().__init__(name=name, frozen=())
        if not 0 <= shrinkage <= 1:
            raise ValueError(f'shrinkage must be in [0, 1], got {shrinkage}')
        self.surrogate_cfg = surrogate
        self.forget_weight = forget_weight
        self.distill_weight = distill_weight
        self.temperature = temperature
        self.shrinkage = shrinkage
        self.batch_size = batch_size
        self.surrogate = None
        self.generator = None
        self.reference = None
        self.means = None
        self.precisions = None

    def before_tasks(self, model, context):
        dataset = DATASETS.build(self.surrogate_cfg)
        self.generator = torch.Generator()
        self.surrogate = DataLoader(
            dataset, shuffle=True, drop_last=False, collate_fn=pseudo_collate,
            generator=self.generator, batch_size=self.batch_size)
        self._batches = iter(())

    def _next_surrogate(self, model):
        batch = next(self._batches, None)
        if batch is None:
            self._batches = iter(self.surrogate)
            batch = next(self._batches)
        return model.data_preprocessor(batch, False)['inputs']

    @torch.no_grad()
    def _kept_class_gaussians(self, kept):
        """The kept classes' Gaussians from the surrogate images, labelled
        by f0 with their best kept class."""
        embeddings, labels = [], []
        kept = torch.as_tensor(kept)
        for batch in self.surrogate:
            inputs = self.reference.data_preprocessor(batch, False)['inputs']
            feats = self.reference.extract_feat(inputs)
            logits = self.reference.logits(feats)[:, kept.to(inputs.device)]
            embeddings.append(self.reference.head.pre_logits(feats))
            labels.append(kept[logits.argmax(dim=1).cpu()])
        embeddings = torch.cat(embeddings)
        gaussians = class_gaussians(embeddings, torch.cat(labels).to(
            embeddings.device), self.shrinkage)
        self.means = torch.stack([m for m, _ in gaussians.values()])
        self.precisions = torch.stack([p for _, p in gaussians.values()])

    def start_task(self, model, context):
        super().start_task(model, context)
        task = context.task
        # The task's own surrogate order: a resumed run draws the same.
        self.generator.manual_seed(context.task_seed)
        self.reference = model.frozen_copy()
        self._kept_class_gaussians(
            [c for c in task.retain if c not in task.missing])
        self._batches = iter(self.surrogate)

    def loss(self, model, inputs, data_samples):
        forget, _ = split_batch(data_samples)
        losses = dict()
        if len(forget):
            embeddings = model.embed(inputs[forget.to(inputs.device)])
            distance, _ = nearest_gaussian_distance(
                embeddings, self.means.to(embeddings.device),
                self.precisions.to(embeddings.device))
            losses['loss_forget'] = self.forget_weight * distance.mean()
        else:
            losses['loss_forget'] = zero_loss(model)
        surrogate = self._next_surrogate(model)
        with torch.no_grad():
            reference = self.reference.logits(
                self.reference.extract_feat(surrogate))
        losses['loss_distill'] = self.distill_weight * js_divergence(
            model.logits(model.extract_feat(surrogate)), reference,
            self.temperature)
        return losses
