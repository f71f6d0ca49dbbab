"""Contrastive Unlearning: forget embeddings pushed from their class and
pulled towards the kept classes, the model's own loss on the kept images.

Contrastive Unlearning (Lee et al., IJCAI 2025) acts on the representation
the head reads: each embedding of an image to unlearn is contrasted with
the remaining images' embeddings, pulled towards those of other classes
(positives) and pushed from those of its own class (negatives), beside the
classification loss on the remaining images. Forgetting a whole class
leaves no remaining image of it, so here the negatives of a forget image
are the other forget images of its class in the batch. Per forget anchor
``u`` with unit embedding ``z_u``:

    l(u) = -(1/|P|) sum_p z_u . z_p / T + log sum_{n in N(u)} exp(z_u . z_n / T)

``P`` the batch's retain images, ``N(u)`` the batch's other forget images
of ``u``'s class (the second term is dropped when there is none). The loss
is ``forget_weight * mean_u l(u) + the model's loss on the retain images``.
The retain embeddings are held fixed in the forget term (this
implementation's choice: the kept clusters are the targets, their own loss
shapes them). Every weight trains, head included.

The forget term moves the embedding that the final-feature checks read
(linear and MLP probes, k-NN, the prototype attack): it trains against
them, and the depth tables mark them so.
"""
import torch
import torch.nn.functional as F

from mmforget.registry import METHODS
from .base import ForgettingMethod, gt_labels, split_batch, zero_loss


def contrastive_forget_loss(forget_embeddings, forget_labels,
                            retain_embeddings, temperature):
    """Mean over the forget anchors of ``l(u)`` (see the module)."""
    anchors = F.normalize(forget_embeddings, dim=1)
    positives = F.normalize(retain_embeddings.detach(), dim=1)
    pull = (anchors @ positives.T).mean(dim=1) / temperature
    similarity = anchors @ anchors.T / temperature
    same_class = forget_labels[:, None] == forget_labels[None, :]
    same_class.fill_diagonal_(False)
    push = torch.logsumexp(
        similarity.masked_fill(~same_class, float('-inf')), dim=1)
    push = torch.where(same_class.any(dim=1), push, torch.zeros_like(push))
    return (push - pull).mean()


@METHODS.register_module()
class ContrastiveUnlearning(ForgettingMethod):
    """Args:
        forget_weight (float): weight of the contrastive forget term (> 0).
        temperature (float): T of the similarities (> 0).
        name (str): default 'Contrastive unlearning'.
    """

    default_name = 'Contrastive unlearning'
    model_kinds = ('classifier', )  # reads the embedding the head reads
    trains_against = ('probe_', 'mlp_probe_', 'knn_', 'proto_')

    def __init__(self, forget_weight=1.0, temperature=0.1, name=None):
        if not forget_weight > 0 or not temperature > 0:
            raise ValueError(
                f'{name or self.default_name}: forget_weight and temperature '
                f'must be > 0, got {forget_weight} and {temperature}')
        super().__init__(name=name, frozen=())
        self.forget_weight = float(forget_weight)
        self.temperature = float(temperature)

    def loss(self, model, inputs, data_samples):
        feats = model.extract_feat(inputs)
        forget, retain = split_batch(data_samples)
        losses = dict()
        if len(retain):
            losses['loss_retain'] = model.subset_loss(feats, data_samples,
                                                      retain)
        if len(forget) and len(retain):
            embeddings = model.head.pre_logits(feats)
            forget_index = forget.to(embeddings.device)
            labels = gt_labels([data_samples[i] for i in forget.tolist()],
                               embeddings.device)
            losses['loss_forget'] = self.forget_weight * \
                contrastive_forget_loss(
                    embeddings[forget_index], labels,
                    embeddings[retain.to(embeddings.device)],
                    self.temperature)
        # A batch of forget images alone has no positive: nothing to learn.
        return losses or dict(loss_forget=zero_loss(model))
