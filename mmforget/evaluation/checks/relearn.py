"""Relearning: how fast does a forgotten class come back when an attacker
fine-tunes the released model on a few of its images? A model that only
hid the class relearns it in a few steps; one that forgot it should take
as long as Retrain, which never knew it (Anamnesis Index, AIN = steps(U) /
steps(R): about 1 is the goal, far below 1 means residual knowledge).

Opt-in (it trains): ``dict(type='mmforget.RelearnCurve', mode='lora')``
(or 'head', 'full', 'retain'; one entry per mode) in
``train_cfg.evaluation.checks``. It needs the model, not only its outputs,
so the evaluator calls it with the model and the datasets.

Its control, modes 'head_turned' and 'full_turned': the same fine-tuning
on the forgotten classes' images with every square tile turned a quarter
turn (each digit of a number), glyphs no model was trained on, learnt into
the forgotten classes' rows. How fast a model learns them is how fast it
learns new classes at all: a model whose features are better than
Retrain's learns faster from them whether or not it forgot, so relearning
faster than Retrain is residue only where learning the turned classes is
not faster too.
"""
import copy

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader, Subset

from mmforget.datasets.forget_retain_dataset import dataset_labels
from mmforget.datasets.turned_tiles import turn_tiles
from mmforget.lora import classifier_lora_targets, inject_lora
from mmforget.registry import FORGETTING_CHECKS
from .base import MetricSpec
from .outputs import split_indices

# What each mode fine-tunes, and on which images.
MODES = dict(
    head=('the head only', 'shots of forget_train + retain_train'),
    full=('every weight', 'shots of forget_train + retain_train'),
    lora=('LoRA on the FFNs', 'shots of forget_train + retain_train'),
    retain=('every weight', 'retain_train only, no forget image'),
    head_turned=('the head only', 'shots of forget_train turned + '
                 'retain_train; scored on forget_test turned'),
    full_turned=('every weight', 'shots of forget_train turned + '
                 'retain_train; scored on forget_test turned'),
)
LEARNING_RATES = dict(head=1e-2, full=1e-3, lora=1e-2, retain=1e-3)
TURNED = '_turned'
REPORT_STEPS = (10, 30, 100, 300)


class TurnedClasses(torch.utils.data.Dataset):
    """``dataset`` with the images of ``classes`` turned (``turn_tiles``),
    their labels kept."""

    def __init__(self, dataset, classes):
        self.dataset = dataset
        self.labels = dataset_labels(dataset)
        self.classes = set(int(c) for c in classes)

    def __len__(self):
        return len(self.dataset)

    def get_gt_labels(self):
        return self.labels

    def __getitem__(self, index):
        item = self.dataset[index]
        if int(self.labels[index]) in self.classes:
            item = dict(item, inputs=turn_tiles(item['inputs']))
        return item


def relearn_metrics(mode, report_steps=REPORT_STEPS):
    what, data = MODES[mode]
    control = mode.endswith(TURNED)
    return {
        f'relearn_{mode}_acc_f_{steps}': MetricSpec(
            'reference', 'Retrain (relearns from nothing)',
            f'fit: {data}; scored on forget_test',
            f'Acc_f after {steps} fine-tuning steps of {what}, %', control)
        for steps in report_steps
    } | {
        f'relearn_{mode}_steps': MetricSpec(
            'reference', 'Retrain', 'as above',
            'steps until Acc_f reaches 95% of the original model\'s '
            '(None: not within the budget)', control),
        f'relearn_{mode}_ain': MetricSpec(
            'reference', '1 (as slow as Retrain)', 'as above',
            'Anamnesis Index: steps(U) / steps(R)', control),
    }


@FORGETTING_CHECKS.register_module()
class RelearnCurve:
    """Fine-tune a copy of the model (CE, AdamW) and score Acc_f on the
    forgotten classes' test images every ``eval_every`` steps and at each
    of ``report_steps``, up to ``steps`` (default: the last report step).
    Each step reads ``shots`` training images of every forgotten class
    plus ``retain_batch`` random retain images. ``mode``:

    - 'head': the head only, the backbone frozen in eval mode (what a new
      read-out of the released features recovers);
    - 'full': every weight, the head included;
    - 'lora': rank-4 adapters on the ViT FFNs, head frozen, as GS-LoRA
      trains;
    - 'retain': every weight, on retain images only: does the class come
      back on its own when the model is trained on other classes?
    - 'head_turned', 'full_turned': the control of 'head' and 'full', the
      forgotten classes' images turned (``TurnedClasses``), train and test.

    Report steps other than the defaults declare their metrics when the
    check is built, so that this process's gap card finds them."""
    needs_model = True
    metrics = {name: spec for mode in MODES
               for name, spec in relearn_metrics(mode).items()}

    def __init__(self, mode='lora', shots=5, steps=None,
                 report_steps=REPORT_STEPS, eval_every=10, lr=None,
                 retain_batch=32, recovered=0.95, seed=0):
        if mode not in MODES:
            raise ValueError(f'mode must be one of {list(MODES)}, got '
                             f'{mode!r}')
        self.mode = mode
        self.turned = mode.endswith(TURNED)
        self.trains = mode[:-len(TURNED)] if self.turned else mode
        self.shots = shots
        self.report_steps = tuple(sorted(report_steps))
        self.steps = steps or max(self.report_steps)
        self.eval_every = eval_every
        self.lr = lr or LEARNING_RATES[self.trains]
        self.retain_batch = retain_batch
        self.recovered = recovered
        self.seed = seed
        for name, spec in relearn_metrics(mode, self.report_steps).items():
            RelearnCurve.metrics.setdefault(name, spec)

    def __call__(self, model, train_set, test_set, forgotten, retained,
                 original_acc_f=None, per_class=100):
        """Results of relearning ``model`` (it is copied, never changed);
        ``original_acc_f``: the original model's Acc_f on the same test
        images, the target of ``relearn_<mode>_steps``."""
        _, curve = self.relearn(model, train_set, test_set, forgotten,
                                retained, per_class)
        return self.summarise(curve, original_acc_f)

    def relearn(self, model, train_set, test_set, forgotten, retained,
                per_class=100):
        """(the fine-tuned copy, [(step, Acc_f)]). In 'retain' mode no
        image of a forgotten class is read from ``train_set``."""
        if self.turned:
            train_set = TurnedClasses(train_set, forgotten)
            test_set = TurnedClasses(test_set, forgotten)
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        student = self.trainable_copy(model)
        params = [p for p in student.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=self.lr, weight_decay=0.0)
        shots = ([] if self.mode == 'retain' else
                 split_indices(train_set, forgotten, self.shots, self.seed))
        retain = split_indices(train_set, retained, 10**9)
        test = split_indices(test_set, forgotten, per_class)
        scored_at = set(range(self.eval_every, self.steps + 1,
                              self.eval_every))
        scored_at |= {s for s in self.report_steps if s <= self.steps}
        scored_at.add(self.steps)
        if self.trains == 'head':  # a frozen backbone: its features once
            return student, self.relearn_head(student, train_set, test_set,
                                              shots, retain, test, rng,
                                              scored_at)
        curve = [(0, self.accuracy(student, test_set, test))]
        for step in range(1, self.steps + 1):
            batch = [train_set[int(i)] for i in shots] + [
                train_set[int(i)] for i in rng.choice(
                    retain, min(self.retain_batch, len(retain)),
                    replace=False)]
            self.train_mode(student)
            data = student.data_preprocessor(pseudo_collate(batch), True)
            labels = torch.cat([s.gt_label for s in data['data_samples']])
            logits = student.logits(student.extract_feat(data['inputs']))
            loss = torch.nn.functional.cross_entropy(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step in scored_at:
                curve.append((step, self.accuracy(student, test_set, test)))
        return student, curve

    def relearn_head(self, student, train_set, test_set, shots, retain,
                     test, rng, scored_at):
        """The 'head' mode's steps on features computed once: the backbone
        is frozen in eval mode, so every step would compute them again."""
        shot_feats, shot_labels = self.features(student, train_set, shots)
        pool_feats, pool_labels = self.features(student, train_set, retain)
        test_feats, test_labels = self.features(student, test_set, test)

        def accuracy():
            student.eval()
            with torch.no_grad():
                logits = student.logits(test_feats)
            return 100.0 * float((logits.argmax(1) == test_labels).sum()) \
                / max(len(test_labels), 1)

        params = [p for p in student.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=self.lr, weight_decay=0.0)
        curve = [(0, accuracy())]
        for step in range(1, self.steps + 1):
            drawn = torch.as_tensor(rng.choice(
                len(retain), min(self.retain_batch, len(retain)),
                replace=False))
            feats = tuple(torch.cat([s, p[drawn]])
                          for s, p in zip(shot_feats, pool_feats))
            labels = torch.cat([shot_labels, pool_labels[drawn]])
            self.train_mode(student)
            loss = torch.nn.functional.cross_entropy(student.logits(feats),
                                                     labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step in scored_at:
                curve.append((step, accuracy()))
        return curve

    @torch.no_grad()
    def features(self, model, dataset, indices, batch_size=64):
        """``extract_feat`` of ``dataset[indices]`` (its tuple, each part
        concatenated over the images) and their labels."""
        model.eval()
        parts, labels = [], []
        loader = DataLoader(Subset(dataset, [int(i) for i in indices]),
                            batch_size=batch_size, collate_fn=pseudo_collate)
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            feats = model.extract_feat(data['inputs'])
            parts.append(feats if isinstance(feats, tuple) else (feats, ))
            labels.append(torch.cat([s.gt_label
                                     for s in data['data_samples']]))
        if not parts:
            return (torch.zeros(0), ), torch.zeros(0, dtype=torch.long)
        return (tuple(torch.cat(p) for p in zip(*parts)),
                torch.cat(labels))

    def trainable_copy(self, model):
        """A copy of ``model`` (a plain, LoRA-free classifier) whose
        relearning parameters train: the head, fresh LoRA adapters, or
        everything."""
        student = copy.deepcopy(model)
        if self.trains == 'lora':
            inject_lora(student, classifier_lora_targets(student), rank=4)
            for name, param in student.named_parameters():
                param.requires_grad_('lora_' in name)
        elif self.trains == 'head':
            student.requires_grad_(False)
            student.head.requires_grad_(True)
        else:
            student.requires_grad_(True)
        return student

    def train_mode(self, student):
        """Training mode, but a frozen backbone stays in eval mode (its
        normalisation statistics must not move either)."""
        if self.trains == 'head':
            student.eval()
            student.head.train()
        else:
            student.train()

    @torch.no_grad()
    def accuracy(self, model, dataset, indices, batch_size=64):
        model.eval()
        correct = 0
        loader = DataLoader(Subset(dataset, [int(i) for i in indices]),
                            batch_size=batch_size, collate_fn=pseudo_collate)
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            labels = torch.cat([s.gt_label for s in data['data_samples']])
            logits = model.logits(model.extract_feat(data['inputs']))
            correct += int((logits.argmax(1) == labels).sum())
        return 100.0 * correct / max(len(indices), 1)

    def summarise(self, curve, original_acc_f):
        def at(steps):
            if curve[-1][0] < steps:
                return None  # beyond this check's budget
            return [acc for step, acc in curve if step <= steps][-1]
        prefix = f'relearn_{self.mode}'
        result = {f'{prefix}_acc_f_{s}': at(s) for s in self.report_steps}
        result[f'{prefix}_steps'] = None
        if original_acc_f is not None:
            target = self.recovered * original_acc_f
            result[f'{prefix}_steps'] = next(
                (step for step, acc in curve if acc >= target), None)
        result[f'{prefix}_curve'] = curve
        return result
