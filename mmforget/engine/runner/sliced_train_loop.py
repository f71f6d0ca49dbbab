"""S3T's training: exact unlearning by construction, for classes that were
never in the base model.

A base model is trained on the classes that are never deleted. The other
classes come in slices (class groups); for each of several slice orders
(cyclic rotations), step i trains the LoRA adapters of the next blocks from
the top down, and the head, on the base images plus the first i + 1 slices
of the order, and keeps a checkpoint after every step. A checkpoint's
lineage (the slices, and the very images, that ever updated one of its
weights) and its training seconds are written beside it (``index.json``).
Deleting a slice later falls back, in every order, to the checkpoint saved
before that slice entered (``mmforget.S3T``): nothing active was ever
updated with it. This is a training-time design: it cannot make an already
trained model forget.
"""
import copy
import json
import os
import os.path as osp
import time

import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner.loops import BaseLoop

from mmforget.datasets.forget_retain_dataset import dataset_labels
from mmforget.lora import lora_modules, merged_state_dict, reset_lora
from mmforget.registry import LOOPS

INDEX = 'index.json'
BASE = 'base'
SERVED = 'served.pth'


def checkpoint_name(sequence, step):
    return f'sequence{sequence}_step{step}'


def step_blocks(step, num_blocks, num_slices):
    """The blocks whose adapters train at ``step``: ``num_blocks //
    num_slices`` of them, from the top down (S3T's order)."""
    per_step = num_blocks // num_slices
    top = num_blocks - 1 - step * per_step
    return list(range(top, top - per_step, -1))


def cyclic_orders(num_slices, num_sequences):
    """The first ``num_sequences`` rotations of the slice order: with as
    many as there are slices, every slice comes last in one of them."""
    base = list(range(num_slices))
    return [base[b:] + base[:b] for b in range(num_sequences)]


@LOOPS.register_module()
class SlicedTrainLoop(BaseLoop):
    """Args:
        dataloader (dict): the training data (every class).
        slices (list[list[int]]): the deletable class groups; every other
            class of the dataset is the base, never deleted.
        sequences (int, optional): slice orders kept (cyclic rotations;
            default: one per slice).
        base_epochs (int): epochs of the base model (every weight, base
            classes only, from the model's initialisation).
        epochs_per_step (int): epochs of each slice step.
        step_lr (float, optional): the steps' learning rate (default: the
            optimizer's, which the base uses); a step trains fresh head
            rows and adapters in few epochs.
        batch_size (int): images per step.
        store (str): the checkpoint store, relative to the work dir.

    The base and every step get a fresh ``optim_wrapper`` of the config
    over the weights they train, under a cosine decay to 1% of its rate.
    """

    def __init__(self, runner, dataloader, slices, sequences=None,
                 base_epochs=25, epochs_per_step=3, step_lr=None,
                 batch_size=64, store='s3t_store'):
        super().__init__(runner, dataloader)
        self.dataset = self.dataloader.dataset
        self.labels = dataset_labels(self.dataset)
        classes = set(self.labels.tolist())
        self.slices = [sorted(int(c) for c in s) for s in slices]
        flat = [c for s in self.slices for c in s]
        if not self.slices or any(not s for s in self.slices) or \
                len(flat) != len(set(flat)) or not set(flat) <= classes:
            raise ValueError(
                f'slices must be non-empty, disjoint groups of the '
                f"dataset's classes, got {slices}")
        self.base_classes = sorted(classes - set(flat))
        if not self.base_classes:
            raise ValueError('S3T needs base classes that are never deleted '
                             '(classes in no slice); every class is sliced')
        model = self.model
        if not any(True for _ in lora_modules(model)):
            raise ValueError('S3T trains LoRA adapters slice by slice: give '
                             'the model a `lora` dict')
        self.num_blocks = len(model.backbone.layers)
        if self.num_blocks < len(self.slices):
            raise ValueError(
                f'{len(self.slices)} slices need at least as many blocks; '
                f'the backbone has {self.num_blocks}')
        sequences = len(self.slices) if sequences is None else sequences
        if not 1 <= sequences <= len(self.slices):
            raise ValueError(f'sequences must be in 1..{len(self.slices)} '
                             f'(cyclic rotations), got {sequences}')
        self.orders = cyclic_orders(len(self.slices), sequences)
        self.base_epochs, self.epochs_per_step = base_epochs, epochs_per_step
        self.batch_size, self.step_lr = batch_size, step_lr
        self.store = osp.join(runner.work_dir, store)
        self._max_epochs = base_epochs + epochs_per_step * len(
            self.slices) * sequences
        self._epoch = self._iter = self._trainings = 0

    @property
    def max_epochs(self):
        return self._max_epochs

    @property
    def max_iters(self):
        return self._max_epochs * len(self.dataloader)

    @property
    def epoch(self):
        return self._epoch

    @property
    def iter(self):
        return self._iter

    @property
    def model(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    def indices_of(self, classes):
        return torch.nonzero(torch.as_tensor(
            [int(c) in set(classes) for c in self.labels])).flatten()

    def run(self):
        self.runner.call_hook('before_train')
        model = self.model
        if osp.isfile(osp.join(self.store, INDEX)):
            raise FileExistsError(
                f'{self.store} already holds an S3T store: give another '
                '--work-dir (a store is never overwritten)')
        os.makedirs(self.store, exist_ok=True)
        index = dict(slices=self.slices, base_classes=self.base_classes,
                     orders=self.orders, checkpoints={})
        base_images = self.indices_of(self.base_classes)
        print_log(f'S3T: base of {len(self.base_classes)} classes, '
                  f'{len(self.slices)} slices, {len(self.orders)} orders',
                  logger='current')
        # The base: every weight but the adapters, base classes only.
        reset_lora(model)
        params = [p for n, p in model.named_parameters()
                  if '.lora_' not in n]
        start = time.time()
        used = self.train(model, params, base_images, self.base_epochs,
                          'base', None)
        base_state = merged_state_dict(model)
        index['checkpoints'][BASE] = self.save(BASE, base_state, [], used,
                                               time.time() - start)
        for sequence, order in enumerate(self.orders):
            model.load_state_dict(base_state, strict=False)
            reset_lora(model)
            images, lineage = base_images, []
            for step, slice_id in enumerate(order):
                lineage = lineage + [slice_id]
                images = torch.cat([images,
                                    self.indices_of(self.slices[slice_id])])
                blocks = step_blocks(step, self.num_blocks, len(order))
                params = [p for n, p in model.named_parameters()
                          if n.startswith('head.') or (
                              '.lora_' in n and int(n.split('.')[2])
                              in blocks)]
                name = checkpoint_name(sequence, step)
                start = time.time()
                used = self.train(model, params, images,
                                  self.epochs_per_step, name, self.step_lr)
                index['checkpoints'][name] = self.save(
                    name, merged_state_dict(model), lineage, used,
                    time.time() - start)
        served = checkpoint_name(0, len(self.orders[0]) - 1)
        torch.save(torch.load(osp.join(self.store, f'{served}.pth'),
                              weights_only=True),
                   osp.join(self.store, SERVED))
        with open(osp.join(self.store, INDEX + '.tmp'), 'w') as f:
            json.dump(index, f)
        os.replace(osp.join(self.store, INDEX + '.tmp'),
                   osp.join(self.store, INDEX))
        print_log(f'S3T store written to {self.store}', logger='current')
        self.runner.call_hook('after_train')
        return model

    def train(self, model, params, images, epochs, name, lr):
        """``epochs`` over ``images`` (dataset indices) training ``params``;
        returns the sorted indices of every image that reached a loss."""
        for param in model.parameters():
            param.requires_grad_(False)
        for param in params:
            param.requires_grad_(True)
        optim_wrapper = self.runner.build_optim_wrapper(
            copy.deepcopy(self.runner.cfg.optim_wrapper))
        optimizer = optim_wrapper.optimizer
        for group in optimizer.param_groups if lr else ():
            group['lr'] = lr
        steps = epochs * -(-len(images) // self.batch_size)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, max(steps, 1),
            eta_min=0.01 * optimizer.param_groups[0]['lr'])
        generator = torch.Generator().manual_seed(
            (self.runner.seed or 0) + 1009 * self._trainings)
        self._trainings += 1
        used = set()
        model.train()
        for epoch in range(epochs):
            order = images[torch.randperm(len(images), generator=generator)]
            total, count = 0., 0
            for start in range(0, len(order), self.batch_size):
                batch_ids = order[start:start + self.batch_size].tolist()
                used.update(batch_ids)
                data = model.data_preprocessor(pseudo_collate(
                    [self.dataset[i] for i in batch_ids]), True)
                labels = torch.cat([s.gt_label for s in
                                    data['data_samples']]).to(
                                        data['inputs'].device)
                loss = F.cross_entropy(
                    model.logits(model.extract_feat(data['inputs'])), labels)
                optim_wrapper.update_params(loss)
                schedule.step()
                total, count = total + float(loss) * len(batch_ids), \
                    count + len(batch_ids)
                self._iter += 1
            self._epoch += 1
            print_log(f'S3T {name}: epoch {epoch + 1}/{epochs}, loss '
                      f'{total / max(count, 1):.4f}', logger='current')
        return sorted(used)

    def save(self, name, state, lineage, used, seconds):
        path = osp.join(self.store, f'{name}.pth')
        torch.save(dict(state_dict={k: v.detach().cpu().clone()
                                    for k, v in state.items()},
                        meta=dict(s3t=dict(name=name, lineage=lineage))),
                   path + '.tmp')
        os.replace(path + '.tmp', path)
        return dict(path=f'{name}.pth', lineage=list(lineage),
                    images=list(used), seconds=round(seconds, 2))
