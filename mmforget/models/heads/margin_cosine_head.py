"""CosFace / ArcFace classification head for face recognition.

Logits are ``s * cos(theta_c)`` between the L2-normalised embedding and the
L2-normalised class weights (no bias). Training penalises the true class:
CosFace ``s * (cos - m)``, ArcFace ``s * cos(theta + m)`` while
``theta + m <= pi`` and ``s * (cos - m * sin m)`` beyond, where cos(theta + m)
would rise again (the papers' head, insightface's ``easy_margin=False``).
Prediction is a plain cosine argmax by default; ``margin_at_test=True``
reproduces the papers' protocol, which also penalises the true class at
test time (their code passes the label to the head) and so gives lower
accuracies.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.heads import ClsHead
from mmpretrain.registry import MODELS

MARGIN_TYPES = ('cosface', 'arcface')


@MODELS.register_module()
class MarginCosineHead(ClsHead):
    """Args:
        num_classes (int): identities.
        in_channels (int): embedding size (512 for the Face Transformer).
        scale (float): s (papers: 64).
        margin (float): m (CosFace 0.35; ArcFace typically 0.5).
        margin_type (str): 'cosface' or 'arcface'.
        margin_at_test (bool): penalise the true class in ``predict`` too.
    """

    def __init__(self, num_classes, in_channels, scale=64.0, margin=0.35,
                 margin_type='cosface', margin_at_test=False, **kwargs):
        kwargs.setdefault('loss', dict(type='CrossEntropyLoss',
                                       loss_weight=1.0))
        super().__init__(**kwargs)
        if margin_type not in MARGIN_TYPES:
            raise ValueError(
                f'margin_type must be one of {MARGIN_TYPES}, got '
                f'{margin_type!r}')
        self.num_classes = num_classes
        self.scale = scale
        self.margin = margin
        self.margin_type = margin_type
        self.margin_at_test = margin_at_test
        self.weight = nn.Parameter(torch.empty(num_classes, in_channels))
        nn.init.xavier_uniform_(self.weight)

    def cosine(self, feats):
        embedding = F.normalize(self.pre_logits(feats), dim=1)
        return F.linear(embedding, F.normalize(self.weight, dim=1))

    def forward(self, feats):
        """``s * cos``: the logits without any margin."""
        return self.scale * self.cosine(feats)

    def margin_logits(self, feats, labels):
        """Logits with the margin applied to each sample's true class."""
        cosine = self.cosine(feats)
        true = F.one_hot(labels, self.num_classes).bool()
        if self.margin_type == 'cosface':
            penalised = cosine - self.margin
        else:
            theta = torch.acos(cosine.clamp(-1 + 1e-7, 1 - 1e-7))
            penalised = torch.where(
                cosine > math.cos(math.pi - self.margin),
                torch.cos(theta + self.margin),
                cosine - self.margin * math.sin(self.margin))
        return self.scale * torch.where(true, penalised, cosine)

    def loss(self, feats, data_samples, **kwargs):
        labels = torch.cat([s.gt_label for s in data_samples])
        labels = labels.to(self.weight.device)
        cls_score = self.margin_logits(feats, labels)
        return self._get_loss(cls_score, data_samples, **kwargs)

    def predict(self, feats, data_samples=None):
        if self.margin_at_test and data_samples is not None:
            labels = torch.cat([s.gt_label for s in data_samples])
            cls_score = self.margin_logits(feats, labels.to(
                self.weight.device))
        else:
            cls_score = self(feats)
        return self._get_predictions(cls_score, data_samples)
