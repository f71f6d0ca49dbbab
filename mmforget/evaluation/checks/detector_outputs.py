"""A DETR-family detector's objects as the samples the checks read.

Every ground-truth box of a read image is one sample: its feature is the
last decoder layer's query that Hungarian matching assigns to the box, its
label the box's class, its logits that query's class scores (last decoder
layer: per-class sigmoid logits for a sigmoid detector, with the no-object
column for plain DETR's softmax; argmax reads either). Matching uses the
model's own predictions, so the original, forgotten and Retrain models may
match different queries to the same box: a sample is the query *that
model* uses for that object. The objects, though, are the same for every
model: the images and the boxes kept depend on the annotations alone
(:func:`choose_images`, ``EmbeddedObjects``), and each image's objects
are in its boxes' order.
"""
import numpy as np
import torch
from mmdet.structures.bbox import bbox_xyxy_to_cxcywh
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader, Subset

from .base import ModelOutputs, SplitOutputs, subsample_per_class


def box_classes(dataset, index):
    """Classes of an image's boxes that the pipeline keeps (ignored ones
    are left out), from the annotations, without loading the image."""
    return [int(box['bbox_label'])
            for box in dataset.get_data_info(index).get('instances', [])
            if not box.get('ignore_flag', 0)]


def choose_images(dataset, classes, per_class, seed=0):
    """The images to read: in a seeded random order, an image is taken
    while one of its boxes' classes among ``classes`` has fewer than
    ``per_class`` boxes in the images taken (all of a small dataset is
    read). They depend on the annotations alone, so every model reads the
    same images."""
    counts = dict.fromkeys(classes, 0)
    chosen = []
    if not counts:
        return chosen
    for index in np.random.default_rng(seed).permutation(len(dataset)):
        boxes = [c for c in box_classes(dataset, index) if c in counts]
        if any(counts[c] < per_class for c in boxes):
            chosen.append(int(index))
            for c in boxes:
                counts[c] += 1
            if min(counts.values()) >= per_class:
                break
    return sorted(chosen)


def box_order(query_labels, box_targets, sample, num_classes):
    """The matched queries (their indices), in the order of the boxes they
    are matched to: each query's box target is its box, normalised, so the
    nearest box is that box. The annotations' order is the same for every
    model, so a position in a split is the same object for each."""
    queries = torch.nonzero(query_labels < num_classes).flatten()
    gt = sample.gt_instances.bboxes
    if len(queries) == 0 or len(gt) == 0:
        return queries
    height, width = sample.metainfo['img_shape']
    gt = bbox_xyxy_to_cxcywh(gt / gt.new_tensor([width, height] * 2))
    boxes = torch.cdist(box_targets[queries].to(gt), gt).argmin(1)
    return queries[torch.argsort(boxes, stable=True)]


def matched_objects(model, batch):
    """Per image of ``batch``: its matched queries, their class scores and
    the classes they are matched to, in the order of its boxes. The
    matching is ``model.matched_labels``'s, with the box targets beside
    the labels."""
    data = model.data_preprocessor(batch, False)
    samples = data['data_samples']
    if any('labels' not in s.gt_instances for s in samples):
        raise ValueError(
            'the test pipeline loads no boxes, so no object can be checked: '
            "add dict(type='LoadAnnotations', with_bbox=True) to it")
    outputs = model.head_outputs(model.extract_feat(data['inputs']), samples)
    scores = outputs['cls_scores'][-1]
    labels, _, box_targets = model.bbox_head.get_targets(
        list(scores), list(outputs['bbox_preds'][-1]),
        [s.gt_instances for s in samples], [s.metainfo for s in samples])[:3]
    feats, logits, classes = [], [], []
    for image, sample in enumerate(samples):
        queries = box_order(labels[image], box_targets[image], sample,
                            model.bbox_head.num_classes)
        feats.append(outputs['queries'][image][queries].float().cpu())
        logits.append(scores[image][queries].float().cpu())
        classes.append(labels[image][queries].cpu())
    return feats, logits, classes


@torch.no_grad()
def embed_objects(model, dataset, indices, batch_size=16):
    """(feats, logits, labels) of the boxes of ``dataset[indices]``: the
    matched queries, their class scores and the boxes' classes."""
    was_training = model.training
    model.eval()
    try:
        feats, logits, labels = [], [], []
        for batch in DataLoader(Subset(dataset, [int(i) for i in indices]),
                                batch_size=batch_size, shuffle=False,
                                collate_fn=pseudo_collate):
            for part, rows in zip((feats, logits, labels),
                                  matched_objects(model, batch)):
                part += rows
    finally:
        model.train(was_training)
    if not feats:
        return (np.zeros((0, 0)), np.zeros((0, 0)),
                np.zeros(0, dtype=np.int64))
    return (torch.cat(feats).numpy(), torch.cat(logits).numpy(),
            torch.cat(labels).numpy())


class EmbeddedObjects:
    """The detector counterpart of ``EmbeddedImages``: a detector's object
    samples of ``classes`` on the images :func:`choose_images` picks from
    the training and the test set, at most ``per_class`` of each class and
    set, split into any task's four splits without another forward pass.
    The head is the last decoder layer's class branch."""

    def __init__(self, model, train_set, test_set, classes, per_class=100,
                 batch_size=16, seed=0):
        branch = model.class_branches()[-1]
        self.head_weight = branch.weight.detach().double().cpu().numpy()
        self.head_bias = (None if branch.bias is None else
                          branch.bias.detach().double().cpu().numpy())
        self.objects = {}
        for name, dataset in (('train', train_set), ('test', test_set)):
            indices = choose_images(dataset, classes, per_class, seed)
            feats, logits, labels = embed_objects(model, dataset, indices,
                                                  batch_size)
            # Images taken for one class bring others' boxes too: each
            # class is capped, on the same objects for every model (the
            # objects are in the annotations' order).
            wanted = np.flatnonzero(np.isin(labels, list(classes)))
            keep = wanted[subsample_per_class(labels[wanted], per_class,
                                              seed)]
            self.objects[name] = feats[keep], logits[keep], labels[keep]

    def outputs(self, forgotten, retained):
        """The checks' view of one task: the objects of its forgotten and
        retained classes in the training and the test images."""
        splits = {}
        for group, classes in (('forget', forgotten), ('retain', retained)):
            for name, (feats, logits, labels) in self.objects.items():
                keep = np.isin(labels, list(classes))
                splits[f'{group}_{name}'] = SplitOutputs(
                    feats[keep], logits[keep], labels[keep])
        return ModelOutputs(splits, sorted(forgotten), self.head_weight,
                            self.head_bias, 'linear')
