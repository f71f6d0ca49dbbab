"""Forget and retain image sets of a detection forgetting task.

A detection image holds objects of several classes, so a split is a set of
images plus a filter on their annotations: the forget split takes images
showing a forgotten class and keeps only those boxes; the retain split takes
images showing a retained class and keeps only theirs. Everything else in an
image (other classes, classes forgotten earlier) becomes background, as in
the papers' detector (method.md §3, §6).
"""
import numpy as np

from mmforget.registry import DATASETS
from .forget_retain_dataset import ForgetRetainDataset, checked_epoch_length
from .task_schedule import ForgettingSchedule


def image_classes(dataset):
    """The set of (non-ignored) box labels of every image, read from the
    annotations only."""
    classes = []
    for index in range(len(dataset)):
        instances = dataset.get_data_info(index)['instances']
        classes.append({int(i['bbox_label']) for i in instances
                        if not i.get('ignore_flag', 0)})
    return classes


@DATASETS.register_module()
class DetectionForgetRetainDataset(ForgetRetainDataset):
    """Wraps an mmdet dataset (e.g. ``CocoDataset``) into per-task forget /
    retain image sets whose annotations are filtered to the split's classes.

    Args:
        dataset (dict | Dataset): the full training set.
        schedule (dict): arguments of :class:`ForgettingSchedule`.
        forget_rate (float): fraction of the images showing a forgotten class
            that the forget split uses (papers: 0.1).
        mem_rate (float): fraction of the images showing a retained class
            that the retain split uses (papers: 0.1).
        few_shot (int, optional): instead of the rates, this many images
            showing each forget and each retain class.
        seed (int): seed of the subsampling; each task draws anew.
        epoch_length (int | str, optional): as ``ForgetRetainDataset``'s
            ('full': as many items per epoch as the whole training set).
    """

    def __init__(self, dataset, schedule, forget_rate=0.1, mem_rate=0.1,
                 few_shot=None, seed=0, epoch_length=None):
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        for name, rate in (('forget_rate', forget_rate),
                           ('mem_rate', mem_rate)):
            if not 0 < rate <= 1:
                raise ValueError(f'{name} must be in (0, 1], got {rate}')
        if few_shot is not None and few_shot < 1:
            raise ValueError(f'few_shot must be a positive count, got '
                             f'{few_shot}')
        if not hasattr(dataset, 'get_data_info') or 'instances' not in \
                dataset.get_data_info(0):
            raise TypeError(
                'DetectionForgetRetainDataset wraps mmdet detection datasets '
                '(data infos with `instances`); for classification use '
                'mmforget.ForgetRetainDataset')
        self.dataset = dataset
        self.epoch_length = checked_epoch_length(epoch_length, dataset)
        self.rates = dict(forget=forget_rate, retain=mem_rate)
        self.few_shot = few_shot
        self.seed = seed
        self.schedule = ForgettingSchedule(
            class_names=dataset.metainfo['classes'], **schedule)
        self.image_classes = image_classes(dataset)
        self._splits = [self._split(t) for t in range(len(self.schedule))]
        self.set_task(0)

    def split_classes(self, index):
        """(forget classes, retain classes with training data) of a task."""
        task = self.schedule[index]
        return (list(task.forget),
                [c for c in task.retain if c not in task.missing])

    def _split(self, index):
        rng = np.random.default_rng([self.seed, index])
        splits = []
        for name, classes in zip(('forget', 'retain'),
                                 self.split_classes(index)):
            wanted = set(classes)
            members = np.asarray([i for i, shown in enumerate(
                self.image_classes) if shown & wanted], dtype=np.int64)
            if self.few_shot:
                members = self._few_shot_images(rng, classes, index)
            elif self.rates[name] < 1 and len(members):
                keep = max(1, int(round(self.rates[name] * len(members))))
                members = np.sort(rng.choice(members, keep, replace=False))
            if len(members) == 0:
                raise ValueError(
                    f'task {index}: no training image shows the {name} '
                    f'classes {classes}; check the dataset and the schedule')
            splits.append(members)
        return splits

    def _few_shot_images(self, rng, classes, index):
        chosen = set()
        for c in classes:
            showing = [i for i, shown in enumerate(self.image_classes)
                       if c in shown]
            if len(showing) < self.few_shot:
                raise ValueError(
                    f'task {index}: class {c} is shown in {len(showing)} '
                    f'training images, fewer than few_shot={self.few_shot}')
            chosen.update(rng.choice(showing, self.few_shot,
                                     replace=False).tolist())
        return np.asarray(sorted(chosen), dtype=np.int64)

    def _fetch(self, indices, index, forget):
        """The image with only the split's boxes, through the pipeline."""
        forget_classes, retain_classes = self.split_classes(self.task_index)
        keep = set(forget_classes if forget else retain_classes)
        data_info = self.dataset.get_data_info(
            self._sample(indices, index, forget))
        data_info['instances'] = [
            i for i in data_info['instances'] if i['bbox_label'] in keep]
        item = self.dataset.pipeline(data_info)
        item['data_samples'].set_metainfo(dict(forget=forget))
        return item
