"""What a forgetting method may call on a model: the declared interface.

Every forgetting model is a :class:`ForgettingModel`;
``ForgettingClassifier`` is also a :class:`ClassifierModel` (an embedding
and a linear head), the DETR family a :class:`DETRModel` (decoder queries
matched to boxes). A method lists the kinds it supports in
``ForgettingMethod.model_kinds`` and is refused before training on any other
(see :func:`model_kind`).
"""
from typing import Protocol, runtime_checkable


@runtime_checkable
class ForgettingModel(Protocol):
    """Members every forgetting model has (besides ``nn.Module``'s)."""

    data_preprocessor: object

    def extract_feat(self, inputs):
        """Backbone (and neck) features of preprocessed inputs."""

    def subset_loss(self, feats, data_samples, indices):
        """The model's own training loss on the samples at ``indices``."""

    def class_prototypes(self, dataloader):
        """Per-class mean features of the model as it is now."""

    def frozen_copy(self):
        """A frozen, method-free copy (a teacher, a reference)."""

    def start_task(self, task_index):
        """Add the task's adapters (a LoRA model) or nothing."""

    def finish_task(self):
        """Merge the task's adapters into plain weights."""

    def merged_state_dict(self):
        """Plain weights."""

    def released_state_dict(self):
        """What a task releases (the merged weights, unless the model's
        design keeps more: ``releases_adapters``)."""


@runtime_checkable
class ClassifierModel(ForgettingModel, Protocol):
    """A classifier: an image embedding and a linear head over it."""

    head: object

    def embed(self, inputs):
        """The embedding the head reads (pre-logits) of preprocessed
        inputs."""

    def logits(self, feats):
        """Class scores from ``extract_feat``'s features."""


@runtime_checkable
class DETRModel(ForgettingModel, Protocol):
    """A DETR-family detector: decoder queries matched to boxes."""

    bbox_head: object
    uses_softmax: bool

    def head_outputs(self, img_feats, data_samples):
        """Class scores, boxes and last-layer queries of the decoder."""

    def set_loss(self, outputs, data_samples, indices):
        """The detector's own set loss on the images ``indices``."""

    def forget_set_loss(self, outputs, data_samples, indices):
        """The set loss whose classification terms a forget loss turns."""

    def counted_layers(self, outputs, indices, prefix=''):
        """Class scores and boxes of the decoder layers the loss counts."""

    def matched_labels(self, cls_scores, bbox_preds, data_samples):
        """Per image, the class Hungarian matching gives each query."""

    def class_branches(self):
        """The class-scoring linear layer of each decoder layer, the last
        layer's last."""


def model_kind(model):
    """'classifier', 'detector' (the DETR family) or None (a model no
    method can call)."""
    if isinstance(model, ClassifierModel):
        return 'classifier'
    if isinstance(model, DETRModel):
        return 'detector'
    return None
