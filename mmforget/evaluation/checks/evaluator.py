"""The forgetting checks as one component: after each task of a continual
run (``train_cfg.evaluation=dict(type='mmforget.ForgettingEvaluator')``)
and in ``tools/evaluate_forgetting.py``.

Each model's embeddings are computed once over the images of every class
it is checked on and then split per task, so the original model (O) costs
one pass for the whole run; the forgotten model (U) and the Retrain model
of the task (R, from ``train_cfg.reference``) one pass per task. A
detector's samples are its objects (``EmbeddedObjects``), and only the
checks whose ``model_kinds`` name 'detector' read them.
"""
import copy
import time

from mmforget.models.interface import model_kind
from mmforget.registry import FORGETTING_CHECKS
from .base import accuracy
from .detector_outputs import EmbeddedObjects
from .gap_card import run_checks
from .outputs import EmbeddedImages

# The cheap checks, run unless a config names others.
DEFAULT_CHECKS = [
    dict(type='mmforget.StandardReport'),
    dict(type='mmforget.MIAEfficacy'),
    dict(type='mmforget.ClassConditionalMIA'),
    dict(type='mmforget.LinearProbe'),
    dict(type='mmforget.KNNProbe'),
    dict(type='mmforget.PrototypeAttack'),
]


def check_kinds(check):
    """The kinds of model a check reads (those that train a copy of the
    model, relearning and block probes, read classifiers)."""
    return getattr(check, 'model_kinds', ('classifier',))


def forgetting_task(path):
    """The forgotten (this task's and earlier) and kept classes of a task
    checkpoint of a forgetting run."""
    from mmengine.runner.checkpoint import _load_checkpoint
    meta = _load_checkpoint(path, map_location='cpu').get('meta') or {}
    task = meta.get('forgetting_task')
    if not task:
        raise ValueError(
            f'{path} holds no meta.forgetting_task: pass a task_<t>.pth '
            'written by a forgetting run (tools/train.py)')
    return sorted(task['forget'] + task.get('old', [])), task['retain']


def build_model(cfg, checkpoint):
    """The config's model without LoRA (task checkpoints hold merged
    weights; a model that releases its adapters keeps them), loaded
    strictly from ``checkpoint`` (a path, or a state dict such as a live
    model's ``released_state_dict()``)."""
    from mmpretrain.registry import MODELS

    from mmforget.models.pretrained_loading import load_plain_checkpoint
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.update(pretrained=None)
    if not getattr(MODELS.get(model_cfg.type), 'releases_adapters', False):
        model_cfg.update(lora=None)
    if cfg.get('data_preprocessor'):  # as mmengine's Runner does
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    if isinstance(checkpoint, dict):
        model.load_state_dict(checkpoint, strict=True)
    else:
        load_plain_checkpoint(model, checkpoint)
    return model


def build_datasets(cfg):
    """The config's training and test sets, both through the test
    pipeline (no augmentation)."""
    from mmpretrain.registry import DATASETS
    train = copy.deepcopy(cfg.train_dataloader.dataset)
    if 'ForgetRetainDataset' in str(train.get('type')):
        train = train.dataset
    test = copy.deepcopy(cfg.test_dataloader.dataset)
    train['pipeline'] = copy.deepcopy(test['pipeline'])
    return DATASETS.build(train), DATASETS.build(test)


def add_anamnesis_index(results):
    """AIN = relearning steps of U / those of R, per relearning mode."""
    forgotten, reference = results.get('U', {}), results.get('R', {})
    for key in list(forgotten):
        if key.startswith('relearn_') and key.endswith('_steps'):
            mine, theirs = forgotten[key], reference.get(key)
            if mine is not None and theirs:
                forgotten[key[:-len('steps')] + 'ain'] = mine / theirs


@FORGETTING_CHECKS.register_module()
class ForgettingEvaluator:
    """Runs ``checks`` (default: the cheap ones that read the model's
    kind) on the forgotten model and, when they are known, the original and
    Retrain models of the same task, reading at most ``per_class`` images
    of each class and split (a detector: about ``per_class`` objects, see
    ``choose_images``); a configured check that cannot read the model's
    kind is refused.
    ``never_seen``: a dataset config of classes (face identities) the
    model never trained on, for ``FaceVerification``.
    ``every_forget_train_image``: read every training image of the
    forgotten classes (``per_class`` caps the other splits), so that
    MIA-Efficacy labels all of them as its protocol says; False caps them
    too (cheaper on large datasets). ``detector_batch_size``: images per
    forward pass of a detector (full-size images)."""

    def __init__(self, checks=None, per_class=100, batch_size=64,
                 never_seen=None, every_forget_train_image=True,
                 detector_batch_size=8):
        self.configured = bool(checks)
        self.all_checks = [
            FORGETTING_CHECKS.build(c) if isinstance(c, dict) else c
            for c in (checks or DEFAULT_CHECKS)]
        self.select(self.all_checks)
        self.never_seen_cfg = never_seen
        self.per_class = per_class
        self.every_forget_train_image = every_forget_train_image
        self.batch_size = batch_size
        self.detector_batch_size = detector_batch_size
        self._datasets = None
        self._original = None

    def use_checks_for(self, kind):
        """Select the checks for a model of ``kind``: the defaults that
        read it, or the configured ones, each of which must read it."""
        unreadable = [c for c in self.all_checks
                      if kind not in check_kinds(c)]
        if unreadable and self.configured:
            names = ', '.join(type(c).__name__ for c in unreadable)
            readers = ', '.join(sorted(
                name for name, check in FORGETTING_CHECKS.module_dict.items()
                if getattr(check, 'metrics', None)
                and kind in check_kinds(check)))
            why = (" (a detector's samples are its objects, matched "
                   'decoder queries, which only the checks that read feats, '
                   'logits and labels alone take)' if kind == 'detector'
                   else '')
            raise ValueError(
                f'{names} cannot check a {kind}{why}. Remove {names} from '
                f'the checks (those that check a {kind}: {readers}), or '
                'leave the checks unset for the defaults')
        self.select([c for c in self.all_checks if c not in unreadable])

    def select(self, checks):
        # Checks that train (relearning) get the model, the others its
        # outputs.
        self.model_checks = [c for c in checks
                             if getattr(c, 'needs_model', False)]
        self.checks = [c for c in checks if c not in self.model_checks]

    def embed(self, model, classes, cfg, forgotten=()):
        """A classifier's ``EmbeddedImages`` or a detector's
        ``EmbeddedObjects`` on ``classes``, the datasets built once."""
        kind = ('detector' if model_kind(model) == 'detector'
                else 'classifier')
        self.use_checks_for(kind)
        if self._datasets is None:
            self._datasets = build_datasets(cfg)
            self._never_seen = None
            if self.never_seen_cfg is not None:
                from mmpretrain.registry import DATASETS
                self._never_seen = DATASETS.build(self.never_seen_cfg)
        if kind == 'detector':
            # No detector check needs every forget image (MIA-Efficacy,
            # a classifier's), so every split is capped.
            return EmbeddedObjects(model, *self._datasets, classes,
                                   self.per_class, self.detector_batch_size)
        return EmbeddedImages(
            model, *self._datasets, classes, self.per_class,
            self.batch_size, never_seen=self._never_seen,
            every_train_image_of=(forgotten if self.every_forget_train_image
                                  else ()))

    def original_embedding(self, cfg, path, classes, forgotten):
        """The original model's embeddings, computed once per run (on every
        class the run checks, every training image of the classes any of
        its tasks forgets)."""
        key = (path, tuple(classes), tuple(forgotten))
        if self._original is None or self._original[0] != key:
            self._original = (key, self.embed(build_model(cfg, path),
                                              classes, cfg, forgotten))
        return self._original[1]

    def evaluate(self, cfg, forgotten, retained, model, original=None,
                 reference=None, original_classes=None,
                 original_forgotten=None):
        """{'O'|'U'|'R': results, 'seconds': per model}. ``model`` is the
        forgotten model or its checkpoint; ``original`` and ``reference``
        are checkpoint paths (or None). The original is embedded on
        ``original_classes`` (default: this task's), once, with every
        training image of ``original_forgotten`` (default: this task's
        forgotten classes)."""
        classes = sorted(set(forgotten) | set(retained))
        models = dict(O=original, U=model, R=reference)
        results, seconds = {}, {}
        for name, source in models.items():
            if source is None:
                continue
            start = time.time()
            plain = None
            if name == 'O':
                embedded = self.original_embedding(
                    cfg, source, original_classes or classes,
                    sorted(original_forgotten or forgotten))
            else:
                plain = self.plain(cfg, source)
                embedded = self.embed(plain, classes, cfg, forgotten)
            outputs = embedded.outputs(forgotten, retained)
            results[name] = run_checks(self.checks, outputs)
            if self.model_checks:
                results[name]['_acc_f_test'] = accuracy(
                    outputs['forget_test'].logits,
                    outputs['forget_test'].labels)
                original_acc_f = results.get('O', {}).get('_acc_f_test')
                plain = plain or self.plain(cfg, source)
                for check in self.model_checks:
                    results[name].update(check(
                        plain, *self._datasets, forgotten, retained,
                        original_acc_f=original_acc_f,
                        per_class=self.per_class))
            seconds[name] = round(time.time() - start, 2)
        for result in results.values():
            result.pop('_acc_f_test', None)
        add_anamnesis_index(results)
        return dict(results, seconds=seconds)

    @staticmethod
    def plain(cfg, source):
        """A LoRA-free, method-free copy of ``source``: a checkpoint path,
        or a live model (what it releases)."""
        if isinstance(source, str):
            return build_model(cfg, source)
        state = (source.released_state_dict()
                 if hasattr(source, 'released_state_dict')
                 else source.state_dict())
        return build_model(cfg, state)

    def after_task(self, cfg, schedule, task, model, reference=None):
        """The checks of a finished ``task`` of a run of ``cfg``: the
        current ``model`` (U), the config's pre-trained model (O, embedded
        once for the run on every class of the ``schedule``) and the
        reference run's task checkpoint (R, a path or None), on this task's
        and all earlier forgotten classes."""
        everything = sorted({c for t in schedule
                             for c in list(t.forget) + list(t.retain)})
        ever_forgotten = sorted({c for t in schedule for c in t.forget})
        return self.evaluate(
            cfg, sorted(list(task.forget) + list(task.old)),
            list(task.retain), model,
            original=cfg.model.get('pretrained'), reference=reference,
            original_classes=everything, original_forgotten=ever_forgotten)
