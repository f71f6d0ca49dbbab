"""DUCK, Distance-based Unlearning via Centroid Kinematics.

At the start of a task the centroid of every kept class is the mean
embedding (the head's input) of its training images under the model as it
is then. Each forget embedding is pulled towards the centroid nearest to it
in cosine distance among the kept classes (never its own class: it is being
forgotten), while a temperature-scaled CE on the retain images keeps the
rest: ``lambda_f * mean(1 - cos(h(x_f), mu_c*)) + lambda_r * CE(f(x_r) /
T, y)``. Every weight trains. The authors cache c* at the first epoch and
stop early once the forget images are misclassified, then repair for two
epochs; here c* is chosen at every step from the current embedding, and the
task runs its configured epochs.
"""
import torch
import torch.nn.functional as F

from mmforget.registry import METHODS
from .base import ForgettingMethod, gt_labels, split_batch


def nearest_centroid_distance(embeddings, centroids):
    """Per embedding, ``1 - cos`` to its nearest centroid (the row of
    ``centroids`` with the highest cosine similarity), and that row."""
    cosine = F.normalize(embeddings, dim=1) @ F.normalize(centroids,
                                                          dim=1).T
    nearest = cosine.detach().argmax(dim=1)
    return 1 - cosine.gather(1, nearest[:, None]).squeeze(1), nearest


@METHODS.register_module()
class DUCK(ForgettingMethod):
    """Args:
        forget_weight (float): lambda_f (the authors' CIFAR-100 value 1.5).
        retain_weight (float): lambda_r (1.5).
        temperature (float): T of the retain CE (2).
    """

    model_kinds = ('classifier', )  # reads its embedding or logits
    # Its pull moves the forget embeddings into kept clusters: what k-NN
    # and the prototype attack read.
    trains_against = ('knn_', 'proto_')

    default_name = 'DUCK'

    def __init__(self, forget_weight=1.5, retain_weight=1.5,
                 temperature=2.0, name=None):
        super().__init__(name=name, frozen=())
        self.forget_weight = forget_weight
        self.retain_weight = retain_weight
        self.temperature = temperature
        self.centroids = None

    def start_task(self, model, context):
        super().start_task(model, context)
        task = context.task
        kept = [c for c in task.retain if c not in task.missing]
        prototypes = model.class_prototypes(context.task_data_loader('retain'))
        centroids = prototypes[torch.as_tensor(kept)].detach()
        # A kept class without retain images has no centroid (a zero row).
        self.centroids = centroids[centroids.norm(dim=1) > 0]

    def loss(self, model, inputs, data_samples):
        feats = model.extract_feat(inputs)
        forget, retain = split_batch(data_samples)
        losses = dict()
        if len(forget):
            index = forget.to(inputs.device)
            embeddings = model.head.pre_logits(tuple(f[index] for f in feats))
            distance, _ = nearest_centroid_distance(
                embeddings, self.centroids.to(embeddings.device))
            losses['loss_forget'] = self.forget_weight * distance.mean()
        if len(retain):
            index = retain.to(inputs.device)
            logits = model.logits(tuple(f[index] for f in feats))
            labels = gt_labels([data_samples[i] for i in retain.tolist()],
                               logits.device)
            losses['loss_retain'] = self.retain_weight * F.cross_entropy(
                logits / self.temperature, labels)
        return losses
