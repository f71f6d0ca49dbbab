"""The forget and retain terms of one batch, per model family: what the
methods' losses are built from.

A model provides its primitives (features, head outputs, its own loss on a
subset of the batch, Hungarian matching); splitting a batch into forget and
retain samples, and which part of the forget samples' loss counts
(``forget_scope``), belong to the methods. ``terms`` is a dict:

* ``retain``: {name: loss} of the retain samples (the model's own loss);
* ``forget``: the forget samples' (classification) loss, or None;
* ``forget_extra``: {name: loss} of the forget samples that the forget loss
  does not turn around (a detector's box terms);
* ``embeddings``: with ``with_embeddings``, (embeddings, labels, is_forget)
  of the samples (a detector: of the queries matched to a box).
"""
import torch

from mmforget.models.interface import model_kind
from .base import split_batch

FORGET_SCOPES = ('all', 'matched')


def check_forget_scope(forget_scope):
    if forget_scope not in FORGET_SCOPES:
        raise ValueError(
            f"forget_scope must be 'all' or 'matched', got {forget_scope!r}")
    return forget_scope


def forget_retain_terms(model, inputs, data_samples, with_embeddings=False,
                        forget_scope='all'):
    """The terms of a batch for ``model``'s family (see the module)."""
    if model_kind(model) == 'classifier':
        return classifier_terms(model, inputs, data_samples, with_embeddings)
    return detr_terms(model, inputs, data_samples, with_embeddings,
                      forget_scope)


def _empty_terms():
    return dict(retain=dict(), forget=None, forget_extra=dict(),
                embeddings=None)


# ------------------------------------------------------------- classifiers
def select_samples(feats, data_samples, indices):
    """The features and data samples of a subset of the batch."""
    return (tuple(f[indices] for f in feats),
            [data_samples[i] for i in indices.tolist()])


def classifier_terms(model, inputs, data_samples, with_embeddings=False):
    """The head's own loss on the retain samples and on the forget samples
    (``forget_scope`` has no meaning for a classifier: one label each)."""
    feats = model.extract_feat(inputs)
    forget, retain = split_batch(data_samples)
    terms = _empty_terms()
    if with_embeddings:
        labels = torch.cat([s.gt_label for s in data_samples])
        is_forget = torch.zeros(len(data_samples), dtype=torch.bool)
        is_forget[forget] = True
        terms['embeddings'] = (model.head.pre_logits(feats),
                               labels.to(inputs.device),
                               is_forget.to(inputs.device))
    if len(retain):
        terms['retain']['loss_retain'] = model.head.loss(
            *select_samples(feats, data_samples, retain))['loss']
    if len(forget):
        terms['forget'] = model.head.loss(
            *select_samples(feats, data_samples, forget))['loss']
    return terms


# -------------------------------------------------------------- DETR family
def split_forget_loss(head_losses):
    """(classification loss, box and proposal losses) of one set-loss dict:
    the decoder layers' ``loss_cls`` terms name classes; the rest does not."""
    cls_loss, box_loss = 0., 0.
    for name, value in head_losses.items():
        if name.endswith('loss_cls') and not name.startswith('enc_'):
            cls_loss = cls_loss + value
        else:
            box_loss = box_loss + value
    return cls_loss, box_loss


def detr_terms(model, inputs, data_samples, with_embeddings=False,
               forget_scope='all'):
    """The set loss of the retain images; the forget images'
    classification loss (``forget_scope`` 'all': every query's, background
    targets included, as in the papers; 'matched': only the own-class
    scores of the queries matched to a forgotten box) and their box losses
    (``forget_extra``); the matched queries' embeddings."""
    check_forget_scope(forget_scope)
    outputs = model.head_outputs(model.extract_feat(inputs), data_samples)
    forget, retain = split_batch(data_samples)
    terms = _empty_terms()
    if len(retain):
        head_losses = model.set_loss(outputs, data_samples, retain)
        terms['retain'].update(
            {f'retain.{k}': v for k, v in head_losses.items()})
    if len(forget):
        cls_loss, box_loss = split_forget_loss(
            model.forget_set_loss(outputs, data_samples, forget))
        if forget_scope == 'matched':
            cls_loss = matched_cls_loss(
                model, *model.counted_layers(outputs, forget),
                [data_samples[i] for i in forget.tolist()])
        terms['forget'] = cls_loss
        terms['forget_extra']['loss_forget_box'] = box_loss
    if with_embeddings:
        is_forget = torch.zeros(len(data_samples), dtype=torch.bool)
        is_forget[forget] = True
        terms['embeddings'] = matched_embeddings(
            model, outputs['queries'], outputs['cls_scores'][-1],
            outputs['bbox_preds'][-1], data_samples, is_forget)
    return terms


def matched_cls_loss(model, cls_scores, bbox_preds, data_samples):
    """Classification loss of the matched queries' own-class scores, per
    decoder layer in ``cls_scores``, averaged over the matched queries."""
    head = model.bbox_head
    total = cls_scores.sum() * 0.
    for layer_scores, layer_boxes in zip(cls_scores, bbox_preds):
        labels = torch.cat(model.matched_labels(layer_scores, layer_boxes,
                                                data_samples))
        matched = labels < head.num_classes
        if not matched.any():
            continue
        scores = layer_scores.flatten(0, 1)[matched]
        if model.uses_softmax:
            # -log softmax(own class) over classes + no-object.
            total = total + head.loss_cls(
                scores, labels[matched], avg_factor=int(matched.sum()))
        else:
            # One score column, target 0: the positive term alone.
            own_scores = scores.gather(1, labels[matched, None])
            total = total + head.loss_cls(
                own_scores, torch.zeros_like(labels[matched]),
                avg_factor=int(matched.sum()))
    return total


def matched_embeddings(model, queries, cls_scores, bbox_preds, data_samples,
                       is_forget):
    """(embeddings, classes, is_forget) of the queries Hungarian matching
    gives a box."""
    labels_list = model.matched_labels(cls_scores, bbox_preds, data_samples)
    embeddings, labels, forget_flags = [], [], []
    for image, labels_of_image in enumerate(labels_list):
        matched = labels_of_image < model.bbox_head.num_classes
        embeddings.append(queries[image][matched])
        labels.append(labels_of_image[matched])
        forget_flags.append(is_forget[image].expand(int(matched.sum())))
    return (torch.cat(embeddings), torch.cat(labels),
            torch.cat(forget_flags).to(queries.device))
