"""What every forgetting check reads and what it promises about its numbers.

A check looks at one model's outputs on four splits (the forgotten and the
kept classes' training and test images), never at the model itself, so the
same outputs serve every check and the original (O), forgotten (U) and
Retrain (R) models are compared on exactly the same images.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

SPLITS = ('forget_train', 'retain_train', 'forget_test', 'retain_test')


@dataclass
class SplitOutputs:
    """One split seen through one model."""
    feats: np.ndarray   # (N, D) the embedding the head classifies
    logits: np.ndarray  # (N, C) class scores, no training margin
    labels: np.ndarray  # (N,) ground-truth class ids

    def __post_init__(self):
        self.feats = np.asarray(self.feats, dtype=np.float64)
        self.logits = np.asarray(self.logits, dtype=np.float64)
        self.labels = np.asarray(self.labels, dtype=np.int64)
        if not len(self.feats) == len(self.logits) == len(self.labels):
            raise ValueError(
                f'feats, logits and labels disagree on the number of '
                f'samples ({len(self.feats)}, {len(self.logits)}, '
                f'{len(self.labels)})')


@dataclass
class ModelOutputs:
    """A model's outputs on the four splits, plus its classification head
    (for the prototype attack): ``logits = feats @ head_weight.T +
    head_bias`` for a linear head, ``head_scale * cos(feats, head_weight)``
    for a cosine head."""
    splits: Dict[str, SplitOutputs]
    forgotten: List[int]
    head_weight: Optional[np.ndarray] = None
    head_bias: Optional[np.ndarray] = None
    head_kind: str = 'linear'
    head_scale: float = 1.0
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        missing = [s for s in SPLITS if s not in self.splits]
        if missing:
            raise ValueError(f'outputs lack the splits {missing}; a check '
                             f'needs all of {list(SPLITS)}')
        if self.head_kind not in ('linear', 'cosine'):
            raise ValueError(f'head_kind must be "linear" or "cosine", got '
                             f'{self.head_kind!r}')

    def __getitem__(self, split):
        return self.splits[split]

    def head_logits(self, feats, weight=None, bias=None):
        """Class scores of ``feats`` through the head (or an edited one)."""
        weight = self.head_weight if weight is None else weight
        bias = self.head_bias if bias is None else bias
        if self.head_kind == 'cosine':
            feats = feats / np.linalg.norm(feats, axis=1, keepdims=True)
            weight = weight / np.linalg.norm(weight, axis=1, keepdims=True)
            return self.head_scale * feats @ weight.T
        logits = feats @ weight.T
        return logits if bias is None else logits + bias


@dataclass(frozen=True)
class MetricSpec:
    """What a number means: ``direction`` is 'lower' or 'higher' (better
    for forgetting), or 'reference' (the target is ``reference``'s value,
    usually Retrain's, and the gap |U - R| is what counts). ``control``:
    not an attack but what an attack is read against (how fast a model
    learns classes it never saw); the depth tables show it and never let
    it decide."""
    direction: str
    reference: str
    splits: str
    doc: str
    control: bool = False

    def __post_init__(self):
        if self.direction not in ('lower', 'higher', 'reference'):
            raise ValueError(f'direction must be lower, higher or '
                             f'reference, got {self.direction!r}')


class ForgettingCheck:
    """One piece of evidence. Subclasses fill ``metrics`` (name ->
    MetricSpec) and return those names from ``__call__``, and list in
    ``model_kinds`` the kinds of model (``model_kind``: 'classifier',
    'detector') whose outputs they can read: a detector's samples are its
    objects (``EmbeddedObjects``), which only a check that reads nothing
    but the splits' feats, logits and labels can take for images."""
    metrics: Dict[str, MetricSpec] = {}
    model_kinds = ('classifier',)

    def __call__(self, outputs: ModelOutputs) -> Dict[str, float]:
        raise NotImplementedError


def accuracy(logits, labels):
    """Top-1 in percent; None for an empty split."""
    if len(labels) == 0:
        return None
    return float(100 * np.mean(np.argmax(logits, axis=1) == labels))


def softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def subsample_per_class(labels, per_class, seed):
    """Indices of at most ``per_class`` samples of every class (seeded),
    in dataset order."""
    rng = np.random.default_rng(seed)
    keep = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        if len(idx) > per_class:
            idx = np.sort(rng.choice(idx, per_class, replace=False))
        keep.append(idx)
    return np.sort(np.concatenate(keep)) if keep else np.zeros(0, int)
