"""Training data of one forgetting task: a forget split and a retain split.

Each item pairs one retain sample with one forget sample, so every batch
holds as many of each (the papers draw one retain and one forget batch per
iteration). An epoch is one pass over the larger split; the smaller one
cycles. ``forget_retain_collate`` flattens a batch of pairs into one batch
whose data samples carry ``forget=True/False`` in their metainfo.
"""
import copy

import numpy as np
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader, Subset

from mmforget.registry import DATASETS, FUNCTIONS
from .task_schedule import ForgettingSchedule


COLLATE = 'mmforget.forget_retain_collate'


def forget_retain_loader_cfg(dataloader):
    """A copy of a ``train_dataloader`` config whose collate is the
    forget-retain one (the default); another collate is refused."""
    dataloader = copy.deepcopy(dataloader)
    collate = dataloader.setdefault('collate_fn', dict(type=COLLATE))
    if collate.get('type') not in (COLLATE, 'forget_retain_collate'):
        raise ValueError(
            f'ContinualForgettingLoop needs collate_fn=dict(type='
            f'{COLLATE!r}) in train_dataloader, got {collate}')
    return dataloader


def dataset_labels(dataset):
    """Ground-truth label of every sample, without loading images."""
    if hasattr(dataset, 'get_gt_labels'):
        return np.asarray(dataset.get_gt_labels(), dtype=np.int64)
    return np.asarray(
        [int(dataset.get_data_info(i)['gt_label'])
         for i in range(len(dataset))], dtype=np.int64)


def checked_epoch_length(epoch_length, dataset):
    """``epoch_length`` as a count ('full': the wrapped dataset's size), or
    None; anything else is refused before training."""
    if epoch_length == 'full':
        return len(dataset)
    if epoch_length is not None and (
            isinstance(epoch_length, bool)
            or not isinstance(epoch_length, int) or epoch_length < 1):
        raise ValueError(
            f"epoch_length must be a positive int or 'full' (the wrapped "
            f"dataset's size), got {epoch_length!r}")
    return epoch_length


@DATASETS.register_module()
class ForgetRetainDataset:
    """Wraps any mmpretrain dataset into per-task forget / retain splits.

    Args:
        dataset (dict | Dataset): the full training set.
        schedule (dict): arguments of :class:`ForgettingSchedule` (class
            names come from the dataset).
        data_ratio (float): fraction of each split's samples used, drawn per
            sample with ``seed`` (papers: 0.1 face, 0.05 ImageNet100).
        few_shot (int, optional): instead of ``data_ratio``, exactly this
            many samples of every forget and retain class (papers: 4).
        forget_shots (int, optional): exactly this many samples of every
            forget class, whatever the retain split gets (1: the
            one-portrait setting, a single image per forgotten class).
        seed (int): seed of the subsampling; each task draws anew.
        epoch_length (int | str, optional): items per epoch. A split of
            n <= epoch_length samples is repeated to fill it (item i reads
            sample i mod n, so each is read epoch_length / n times, in the
            sampler's order); a larger split is read in windows of a
            shuffled order, epoch e reading its items e * epoch_length to
            (e + 1) * epoch_length - 1 (mod n), so every sample is read
            and as often as any other (the loop tells the dataset its
            epoch, :meth:`set_epoch`). 'full': the wrapped dataset's size,
            so that an epoch has as many steps as one on every class had (a
            Retrain whose steps match the pre-training's, which converges
            on few kept classes where the same epochs would not). Default:
            one pass over the task's larger split.
    """

    # False (set by the loop for methods such as Retrain): items hold retain
    # samples only, and no forget sample is ever read.
    use_forget_data = True
    # None: an epoch is one pass over the task's larger split.
    epoch_length = None

    def __init__(self, dataset, schedule, data_ratio=1.0, few_shot=None,
                 seed=0, epoch_length=None, forget_shots=None):
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        if not 0 < data_ratio <= 1:
            raise ValueError(f'data_ratio must be in (0, 1], got {data_ratio}')
        if few_shot is not None and (few_shot < 1 or data_ratio != 1):
            raise ValueError(
                f'few_shot={few_shot} needs a positive count and '
                f'data_ratio=1 (got data_ratio={data_ratio}): they are two '
                'ways to choose the training subset, use one')
        if forget_shots is not None and (forget_shots < 1 or few_shot):
            raise ValueError(
                f'forget_shots={forget_shots} needs a positive count and no '
                'few_shot (few_shot already sets the forget classes\' count)')
        self.forget_shots = forget_shots
        self.dataset = dataset
        self.epoch_length = checked_epoch_length(epoch_length, dataset)
        self.data_ratio = data_ratio
        self.few_shot = few_shot
        self.seed = seed
        self.schedule = ForgettingSchedule(
            class_names=dataset.metainfo['classes'], **schedule)
        self.labels = dataset_labels(dataset)
        # Every task is checked now, so bad input fails before training.
        self._splits = [self._split(t) for t in range(len(self.schedule))]
        self.epoch = 0
        self.set_task(0)

    @staticmethod
    def required(dataset):
        """``dataset`` if it is a ``ForgetRetainDataset``; else a clear
        error."""
        if not isinstance(dataset, ForgetRetainDataset):
            raise TypeError(
                'ContinualForgettingLoop needs train_dataloader.dataset of '
                f'type mmforget.ForgetRetainDataset, got '
                f'{type(dataset).__name__}')
        return dataset

    @property
    def metainfo(self):
        return copy.deepcopy(self.dataset.metainfo)

    @property
    def task(self):
        return self.schedule[self.task_index]

    def set_task(self, index):
        """Switch to task ``index``; rebuild the dataloader afterwards."""
        self.task_index = index
        self.forget_indices, self.retain_indices = self._splits[index]
        # The order the windows of a split longer than an epoch walk: one
        # shuffle per task and split, so every epoch mixes the classes.
        rng = np.random.default_rng([self.seed, index, 1])
        self._window_order = dict(
            forget=rng.permutation(len(self.forget_indices)),
            retain=rng.permutation(len(self.retain_indices)))

    def set_epoch(self, epoch):
        """The epoch of the task (from 0) about to be read: which window of
        a split longer than ``epoch_length`` its items read."""
        self.epoch = int(epoch)

    def reads_windows(self):
        """Whether a task has a split read longer than an epoch, so that
        its items depend on :meth:`set_epoch`."""
        if self.epoch_length is None:
            return False
        return any(len(split) > self.epoch_length
                   for forget, retain in self._splits
                   for split in ((forget, retain) if self.use_forget_data
                                 else (retain, )))

    def read_for(self, use_forget_data, dataloader_cfg):
        """Whether items hold forget samples (the method's choice); then
        refuse, before training, a loader whose persistent workers would
        keep reading the first window (their copies never see the epoch)."""
        self.use_forget_data = bool(use_forget_data)
        if self.reads_windows() and dataloader_cfg.get(
                'persistent_workers') and dataloader_cfg.get('num_workers'):
            raise ValueError(
                f'train_dataloader.dataset.epoch_length={self.epoch_length}'
                " is shorter than a task's split, so each epoch reads "
                'another window of it, which persistent workers never see: '
                'set train_dataloader.persistent_workers=False or a longer '
                'epoch_length')

    def _split(self, index):
        task = self.schedule[index]
        rng = np.random.default_rng([self.seed, index])
        retain_classes = [c for c in task.retain if c not in task.missing]
        splits = []
        for name, classes in (('forget', task.forget),
                              ('retain', retain_classes)):
            members = np.flatnonzero(np.isin(self.labels, classes))
            if self.few_shot:
                members = self._few_shot(rng, classes, index, self.few_shot)
            elif self.data_ratio < 1:
                keep = int(round(self.data_ratio * len(members)))
                members = np.sort(rng.choice(members, keep, replace=False))
            if self.forget_shots and name == 'forget':
                # Drawn from the ratio's forget split with a generator of
                # their own: the retain split is the full setting's.
                members = self._few_shot(
                    np.random.default_rng([self.seed, index, 1]), classes,
                    index, self.forget_shots, members)
            if len(members) == 0:
                raise ValueError(
                    f'task {index}: the {name} split is empty (classes '
                    f'{classes}, data_ratio={self.data_ratio}); raise '
                    'data_ratio or check the dataset has samples of them')
            splits.append(members)
        return splits

    def _few_shot(self, rng, classes, index, shots, pool=None):
        chosen = []
        for c in classes:
            members = np.flatnonzero(self.labels == c)
            if pool is not None:
                members = np.intersect1d(members, pool)
            if len(members) < shots:
                raise ValueError(
                    f'task {index}: class {c} has {len(members)} training '
                    f'samples, fewer than the {shots} asked for')
            chosen.append(rng.choice(members, shots, replace=False))
        return np.sort(np.concatenate(chosen))

    def task_indices(self):
        """Indices (in the wrapped dataset) of the current task's training
        samples, forget and retain, each once."""
        return self.task_samples('all')

    def task_samples(self, split='all', index=None):
        """Indices of task ``index``'s (default: the current task's)
        training samples of ``split`` ('all', 'forget' or 'retain'), each
        once; reading them does not switch the task."""
        if split not in ('all', 'forget', 'retain'):
            raise ValueError(
                f"split must be 'all', 'forget' or 'retain', got {split!r}")
        forget, retain = self._splits[
            self.task_index if index is None else index]
        return dict(forget=forget, retain=retain)[split] if split != 'all' \
            else np.union1d(forget, retain)

    def task_data_loader(self, split='all', batch_size=32, index=None):
        """Task ``index``'s (default: the current task's) training samples
        of ``split``, each once, in order, through the wrapped dataset's own
        pipeline: what methods prepare from (prototypes, importance)."""
        indices = self.task_samples(split, index)
        return DataLoader(Subset(self.dataset, list(map(int, indices))),
                          shuffle=False, collate_fn=pseudo_collate,
                          batch_size=batch_size)

    def __len__(self):
        if self.epoch_length is not None:
            return self.epoch_length
        if not self.use_forget_data:
            return len(self.retain_indices)
        return max(len(self.forget_indices), len(self.retain_indices))

    def __getitem__(self, index):
        retain = self._fetch(self.retain_indices, index, forget=False)
        forget = (self._fetch(self.forget_indices, index, forget=True)
                  if self.use_forget_data else None)
        return dict(retain=retain, forget=forget)

    def _sample(self, indices, index, forget):
        """The wrapped dataset's index that item ``index`` of a split reads
        in this epoch."""
        n = len(indices)
        if self.epoch_length is not None and n > self.epoch_length:
            order = self._window_order['forget' if forget else 'retain']
            return int(indices[order[(self.epoch * self.epoch_length
                                      + index) % n]])
        return int(indices[index % n])

    def _fetch(self, indices, index, forget):
        item = self.dataset[self._sample(indices, index, forget)]
        item['data_samples'].set_metainfo(dict(forget=forget))
        return item


@FUNCTIONS.register_module()
def forget_retain_collate(batch):
    """One batch: the retain samples, then the forget samples."""
    if not (batch and isinstance(batch[0], dict) and 'retain' in batch[0]):
        raise TypeError(
            'forget_retain_collate expects items of ForgetRetainDataset')
    return pseudo_collate([item['retain'] for item in batch] +
                          [item['forget'] for item in batch
                           if item['forget'] is not None])
