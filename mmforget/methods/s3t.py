"""S3T's deletion: serve, after each request, the longest slice prefix of a
kept slice order that holds no deleted class.

Training-free at request time: the store written by ``SlicedTrainLoop``
holds, per slice order, a checkpoint after every slice (adapters merged,
the head trained with them). A request deletes whole slices; each order is
cut before its first deleted slice, and the longest surviving prefix is
loaded, head included. When no order keeps a slice, the base model is
served and the kept slices would have to be retrained. Exact for the
sliced classes only: the base's own training data is out of its scope.
"""
import json
import os
import os.path as osp

from mmengine.logging import print_log

from mmforget.models.pretrained_loading import load_plain_checkpoint
from mmforget.registry import METHODS
from .base import ForgettingMethod, refuse_training

STORE_INDEX = 'index.json'


def surviving_prefixes(orders, deleted):
    """Per order, how many of its first slices hold no deleted slice."""
    prefixes = []
    for order in orders:
        cut = next((i for i, s in enumerate(order) if s in deleted),
                   len(order))
        prefixes.append(cut)
    return prefixes


@METHODS.register_module()
class S3T(ForgettingMethod):
    """Args:
        store (str): the store directory a ``SlicedTrainLoop`` run wrote
            (``<work_dir>/s3t_store``).
        delete_files (bool): delete the checkpoints a request invalidates
            (what a deployment must do: a kept file keeps the deleted
            data's influence). False (default) leaves the store whole, so
            that several runs can read it; they never serve those files.
        name (str, optional): default 'S3T'.
    """

    default_name = 'S3T'
    model_kinds = ('classifier', )

    def __init__(self, store, delete_files=False, name=None):
        super().__init__(name=name)
        self.store = store
        self.delete_files = delete_files
        self.index = self.served = None

    def before_tasks(self, model, context):
        """Read the store; refuse a schedule that does not delete whole
        sliced groups."""
        refuse_training(self, context)
        path = osp.join(self.store, STORE_INDEX)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path} does not exist: S3T serves a store trained slice '
                'by slice; train it first with tools/train.py and a '
                'SlicedTrainLoop config (configs/s3t/s3t-train_*.py)')
        with open(path) as f:
            self.index = json.load(f)
        slice_of = {c: i for i, s in enumerate(self.index['slices'])
                    for c in s}
        for task in context.schedule:
            for c in task.forget:
                if c not in slice_of:
                    raise ValueError(
                        f'class {c} is in no slice of {self.store} (a base '
                        'class): S3T can only delete sliced classes')
                whole = self.index['slices'][slice_of[c]]
                if not set(whole) <= set(task.forget):
                    raise ValueError(
                        f'S3T deletes whole slices: class {c} shares slice '
                        f'{slice_of[c]} {whole} with classes this task does '
                        'not forget; forget the whole slice in one task')

    def deleted_slices(self, context):
        slice_of = {c: i for i, s in enumerate(self.index['slices'])
                    for c in s}
        return {slice_of[c] for task in
                list(context.schedule)[:context.task_index + 1]
                for c in task.forget}

    def start_task(self, model, context):
        super().start_task(model, context)
        deleted = self.deleted_slices(context)
        orders = self.index['orders']
        prefixes = surviving_prefixes(orders, deleted)
        best = max(range(len(orders)), key=lambda b: (prefixes[b], -b))
        name = ('base' if prefixes[best] == 0 else
                f'sequence{best}_step{prefixes[best] - 1}')
        entry = self.index['checkpoints'][name]
        if self.delete_files:
            self.delete_invalidated(orders, prefixes)
        load_plain_checkpoint(model, osp.join(self.store, entry['path']))
        self.served = dict(checkpoint=name, lineage=entry['lineage'],
                           deleted=sorted(deleted),
                           retrain_needed=prefixes[best] == 0
                           and len(deleted) < len(self.index['slices']))
        print_log(f'S3T serves {name} (slices {entry["lineage"]}), deleted '
                  f'slices {sorted(deleted)}' +
                  ('; no order keeps a slice: the kept slices need '
                   'retraining' if self.served['retrain_needed'] else ''),
                  logger='current')

    def delete_invalidated(self, orders, prefixes):
        """Remove every checkpoint whose lineage holds a deleted slice."""
        for sequence, (order, prefix) in enumerate(zip(orders, prefixes)):
            for step in range(prefix, len(order)):
                name = f'sequence{sequence}_step{step}'
                entry = self.index['checkpoints'].pop(name, None)
                if entry is not None:
                    path = osp.join(self.store, entry['path'])
                    if osp.isfile(path):
                        os.remove(path)
        served = osp.join(self.store, 'served.pth')  # the full first order
        if osp.isfile(served):
            os.remove(served)
        with open(osp.join(self.store, STORE_INDEX + '.tmp'), 'w') as f:
            json.dump(self.index, f)
        os.replace(osp.join(self.store, STORE_INDEX + '.tmp'),
                   osp.join(self.store, STORE_INDEX))
