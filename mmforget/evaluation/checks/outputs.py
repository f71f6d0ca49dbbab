"""A classifier's embeddings and logits on the four splits the checks read.

Every split goes through the test pipeline (no augmentation), and at most
``per_class`` images of each class are read, the same images for every
model, so O, U and R are compared on exactly the same inputs.
"""
import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from torch import nn
from torch.utils.data import DataLoader, Subset

from mmforget.datasets.forget_retain_dataset import dataset_labels
from .base import ModelOutputs, SplitOutputs, subsample_per_class


def head_parameters(head):
    """(weight, bias, kind, scale) of the layer that turns the embedding
    into class scores: a cosine head's class weights, or the last linear
    layer with one output per class."""
    if hasattr(head, 'cosine') and hasattr(head, 'scale'):
        return head.weight, None, 'cosine', float(head.scale)
    linears = [m for m in head.modules() if isinstance(m, nn.Linear)
               and m.out_features == head.num_classes]
    if not linears:
        raise TypeError(f'{type(head).__name__} has no linear layer with '
                        f'{head.num_classes} outputs to read class scores '
                        'from')
    return linears[-1].weight, linears[-1].bias, 'linear', 1.0


def split_indices(dataset, classes, per_class, seed=0, every_of=()):
    """Indices of at most ``per_class`` samples of each of ``classes``, and
    of every sample of the classes in ``every_of``."""
    labels = dataset_labels(dataset)
    chosen = np.flatnonzero(np.isin(labels, list(classes)))
    keep = chosen[subsample_per_class(labels[chosen], per_class, seed)]
    every = np.flatnonzero(np.isin(labels, list(every_of)))
    return np.union1d(keep, every)


@torch.no_grad()
def embed_split(model, dataset, indices, batch_size=64):
    """Embeddings and labels of ``dataset[indices]``, in that order."""
    was_training = model.training
    model.eval()
    loader = DataLoader(Subset(dataset, [int(i) for i in indices]),
                        batch_size=batch_size, shuffle=False,
                        collate_fn=pseudo_collate)
    feats, labels = [], []
    for batch in loader:
        data = model.data_preprocessor(batch, False)
        feats.append(model.embed(data['inputs']).float().cpu())
        labels.append(torch.cat([s.gt_label for s in data['data_samples']]))
    model.train(was_training)
    if not feats:
        return np.zeros((0, 0)), np.zeros(0, dtype=np.int64)
    return torch.cat(feats).numpy(), torch.cat(labels).numpy()


class EmbeddedImages:
    """A model's embeddings of the checked images and its head, split into
    any task's four splits without another forward pass."""

    def __init__(self, model, train_set, test_set, classes, per_class=100,
                 batch_size=64, never_seen=None, every_train_image_of=()):
        weight, bias, self.head_kind, self.head_scale = head_parameters(
            model.head)
        self.head_weight = weight.detach().double().cpu().numpy()
        self.head_bias = (None if bias is None else
                          bias.detach().double().cpu().numpy())
        self.images = {}
        # Every training image of the forgotten classes is read, as the
        # membership protocol (Unlearn-Sparse, SalUn) requires; the other
        # splits are capped at ``per_class``.
        for name, dataset in (('train', train_set), ('test', test_set)):
            every = every_train_image_of if name == 'train' else ()
            indices = split_indices(dataset, classes, per_class,
                                    every_of=every)
            self.images[name] = embed_split(model, dataset, indices,
                                            batch_size)
        # Identities the model never trained on (face verification): all
        # of their classes, labels as that dataset numbers them.
        self.never_seen = None
        if never_seen is not None:
            labels = dataset_labels(never_seen)
            indices = split_indices(never_seen, np.unique(labels), per_class)
            feats, labels = embed_split(model, never_seen, indices,
                                        batch_size)
            self.never_seen = SplitOutputs(feats, np.zeros((len(labels), 0)),
                                           labels)

    def outputs(self, forgotten, retained):
        """The checks' view of one task: its forgotten and retained
        classes' training and test images."""
        splits = {}
        for group, classes in (('forget', forgotten), ('retain', retained)):
            for name, (feats, labels) in self.images.items():
                keep = np.isin(labels, list(classes))
                splits[f'{group}_{name}'] = SplitOutputs(
                    feats[keep], np.zeros((int(keep.sum()), 0)),
                    labels[keep])
        result = ModelOutputs(splits, sorted(forgotten), self.head_weight,
                              self.head_bias, self.head_kind,
                              self.head_scale)
        if self.never_seen is not None:
            result.extra['never_seen'] = self.never_seen
        for split in splits.values():
            split.logits = result.head_logits(split.feats)
        return result
