"""Forgetting in one call: from a user's own model config and checkpoint.

``forget('my_classifier.py', 'my.pth', forget=['cat', 'dog'],
then=[['bird']])`` writes a complete continual-forgetting config into the
work dir (so ``tools/train.py <work_dir>/forget_config.py`` reproduces the
run), runs it, checks that the release file holds nothing that restores
what was forgotten, and returns where it is. ``tools/forget.py`` is the
command-line face of the same function.

The user's config is a plain mmpretrain classifier (``ImageClassifier``) or
mmdet DETR-family detector with its data: ``train_dataloader`` (what the
forgetting trains on) and ``test_dataloader`` (what it is scored on); a
separate data config can supply them.
"""
import difflib
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from mmengine.config import Config

# Forgetting versions of the model types mmforget knows.
FORGETTING_TYPES = {
    'ImageClassifier': 'ForgettingClassifier',
    'DETR': 'ForgettingDETR',
    'ConditionalDETR': 'ForgettingConditionalDETR',
    'DABDETR': 'ForgettingDABDETR',
    'DeformableDETR': 'ForgettingDeformableDETR',
    'DINO': 'ForgettingDINO',
}
METHODS = {'gs-lora': 'mmforget.GSLoRA', 'gs-lora-plus': 'mmforget.GSLoRAPlus'}
DATA_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
             'val_evaluator', 'test_evaluator', 'data_preprocessor')
CONFIG_NAME = 'forget_config.py'


@dataclass
class ForgettingResult:
    """What a forgetting run left: the clean checkpoint of the last task
    and the per-task scores."""
    work_dir: str
    config: str
    release: str
    summary: dict = field(repr=False)
    tasks: List[List[int]] = field(default_factory=list)


def load_user_config(model_config, data_config=None):
    """The user's model config, its dataloaders and evaluators replaced by
    those of ``data_config`` when given."""
    cfg = Config.fromfile(model_config)
    if data_config is not None:
        data = Config.fromfile(data_config)
        for key in DATA_KEYS:
            if key in data:
                cfg[key] = data[key]
    for key in ('train_dataloader', 'test_dataloader'):
        if not cfg.get(key):
            raise ValueError(f'the config has no {key}: give the data '
                             'config with --data')
    return cfg


def class_names_of(cfg):
    """The class names of the user's training set, in label order."""
    from mmengine.registry import DATASETS, DefaultScope
    dataset_cfg = cfg.train_dataloader.dataset
    scope = cfg.get('default_scope', 'mmpretrain')
    with DefaultScope.overwrite_default_scope(scope):
        dataset = DATASETS.build(dataset_cfg)
    classes = dataset.metainfo.get('classes')
    if not classes:
        raise ValueError(
            'the training set of the config names no classes '
            '(dataset.metainfo["classes"]); set metainfo=dict(classes=...) '
            'in train_dataloader.dataset')
    return list(classes)


def resolve_classes(requested, class_names):
    """Class ids of names or ids, with a clear error for unknown ones."""
    ids = []
    for item in requested:
        if isinstance(item, str) and item in class_names:
            ids.append(class_names.index(item))
            continue
        try:
            index = int(item)
        except (TypeError, ValueError):
            close = difflib.get_close_matches(str(item), class_names, n=3)
            hint = f' Did you mean {close}?' if close else ''
            raise ValueError(
                f'unknown class {item!r}: it is neither a class name of the '
                f'dataset nor an id.{hint} Classes: '
                f'{_shorten(class_names)}') from None
        if not 0 <= index < len(class_names):
            raise ValueError(
                f'class id {index} is out of range: the dataset has '
                f'{len(class_names)} classes (ids 0..{len(class_names) - 1})')
        ids.append(index)
    if len(set(ids)) != len(ids):
        raise ValueError(f'a class is named twice in {list(requested)}')
    return ids


def check_something_is_kept(tasks, class_names):
    """Refuse a schedule that forgets every class: nothing would be left to
    retain, train on or score."""
    forgotten = {c for task in tasks for c in task}
    if len(forgotten) >= len(class_names):
        raise ValueError(
            f'the tasks forget all {len(class_names)} classes, which leaves '
            'no class to retain; keep at least one class (drop one from '
            '--forget/--then)')


def check_training_data(cfg):
    """Build the forget/retain training set of ``cfg`` once, so that a
    schedule or data problem (unknown class, empty split, too few shots) is
    reported before anything is written."""
    from mmengine.registry import DATASETS, DefaultScope
    scope = cfg.get('default_scope', 'mmpretrain')
    with DefaultScope.overwrite_default_scope(scope):
        DATASETS.build(cfg.train_dataloader.dataset)


def _shorten(names, limit=20):
    return str(names if len(names) <= limit else names[:limit] + ['...'])


def build_forgetting_config(model_config, checkpoint, tasks, method='gs-lora',
                            data_config=None, epochs=30, batch_size=32,
                            lr=None, rank=8, alpha=1e-4, bound=None,
                            beta=0.2, data_ratio=1.0, seed=0):
    """The continual-forgetting config for ``tasks`` (lists of class ids)
    over the user's model and data (``model_config``: a path, or the
    ``Config`` of :func:`load_user_config`, which is changed in place;
    nothing is run).

    ``lr`` and ``bound`` default to the values of mmforget's classifier
    (1e-2, BND 12) and detector (1e-3, BND 15) configs."""
    if method not in METHODS:
        raise ValueError(f'unknown method {method!r}; choose one of '
                         f'{sorted(METHODS)}')
    cfg = model_config if isinstance(model_config, Config) else \
        load_user_config(model_config, data_config)
    model_type = cfg.model.get('type', '').rsplit('.', 1)[-1]
    if model_type not in FORGETTING_TYPES:
        raise ValueError(
            f'the model type {model_type!r} has no forgetting version; '
            f'known: {sorted(FORGETTING_TYPES)}')
    detector = model_type != 'ImageClassifier'
    if bound is None:
        bound = 15.0 if detector else 12.0
    if lr is None:
        lr = 1e-3 if detector else 1e-2
    cfg.model.type = FORGETTING_TYPES[model_type]
    cfg.model.pretrained = checkpoint
    cfg.model.lora = dict(rank=rank, alpha=1.0)
    cfg.model.pop('init_cfg', None)
    cfg.model.get('backbone', {}).pop('init_cfg', None)
    schedule = dict(tasks=[list(t) for t in tasks])
    train = cfg.train_dataloader
    if detector:
        dataset = dict(type='mmforget.DetectionForgetRetainDataset',
                       dataset=train.dataset, schedule=schedule,
                       forget_rate=data_ratio, mem_rate=data_ratio, seed=seed)
        ann_file = _ann_file(cfg.get('test_evaluator'))
        test_evaluator = [
            dict(type='mmforget.DetectionForgettingMetric', ann_file=ann_file),
            dict(type='mmforget.ForgottenObjectFate')]
    else:
        dataset = dict(type='mmforget.ForgetRetainDataset',
                       dataset=train.dataset, schedule=schedule,
                       data_ratio=data_ratio, seed=seed)
        test_evaluator = dict(type='mmforget.ForgettingMetric')
    num_workers = train.get('num_workers', 0)
    cfg.train_dataloader = dict(
        batch_size=batch_size,
        num_workers=num_workers,
        persistent_workers=bool(num_workers)
        and train.get('persistent_workers', False),
        sampler=dict(type='DefaultSampler', shuffle=True),
        collate_fn=dict(type='mmforget.forget_retain_collate'),
        dataset=dataset)
    cfg.test_evaluator = test_evaluator
    # A task ends with its last epoch: the test split is scored before and
    # after every task, no validation pass is needed.
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_cfg = dict()
    cfg.train_cfg = dict(
        type='mmforget.ContinualForgettingLoop', max_epochs=epochs,
        val_interval=epochs, select='last',
        method=dict(type=METHODS[method], forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=bound,
            loss_weight=beta)))
    cfg.optim_wrapper = dict(
        type='mmforget.GroupSparseOptimWrapper',
        constructor='mmforget.GroupSparseOptimWrapperConstructor',
        optimizer=dict(type='AdamW', lr=lr, weight_decay=0.05 if not detector
                       else 1e-4),
        alpha=alpha)
    cfg.param_scheduler = [dict(
        type='CosineAnnealingLR', by_epoch=True, T_max=epochs, eta_min=1e-5,
        convert_to_iter_based=True)]
    cfg.custom_hooks = [dict(type='mmforget.ForgettingTaskHook')]
    cfg.default_hooks = dict(cfg.get('default_hooks', {}), checkpoint=None)
    cfg.custom_imports = dict(imports=['mmforget'],
                              allow_failed_imports=False)
    cfg.randomness = dict(seed=seed)
    cfg.pop('auto_scale_lr', None)
    return cfg


def _ann_file(test_evaluator):
    evaluators = test_evaluator if isinstance(test_evaluator, (list, tuple)) \
        else [test_evaluator]
    for evaluator in evaluators:
        if evaluator and evaluator.get('ann_file'):
            return evaluator['ann_file']
    raise ValueError('a detector config needs test_evaluator.ann_file (the '
                     'COCO annotations of the test set) to score forgetting')


def forget(model_config: str,
           checkpoint: str,
           forget: Sequence,
           then: Sequence[Sequence] = (),
           method: str = 'gs-lora',
           data_config: Optional[str] = None,
           work_dir: Optional[str] = None,
           cfg_options: Optional[dict] = None,
           **settings) -> ForgettingResult:
    """Forget the classes ``forget``, then each list of ``then`` in turn.

    Args:
        model_config (str): the user's plain model config, with its data
            (or see ``data_config``).
        checkpoint (str): the model's weights (a plain checkpoint).
        forget (list[str | int]): classes of the first task, by name or id.
        then (list[list[str | int]]): classes of the following tasks.
        method (str): 'gs-lora' or 'gs-lora-plus'.
        data_config (str, optional): a config whose dataloaders and
            evaluators replace the model config's.
        work_dir (str, optional): where the run writes (default
            ``work_dirs/forget_<config name>``); an existing forgetting run
            there is never overwritten.
        cfg_options (dict, optional): overrides of the generated config,
            as ``--cfg-options`` of tools/train.py.
        **settings: ``build_forgetting_config`` settings (epochs,
            batch_size, lr, rank, alpha, bound, beta, data_ratio, seed).

    Returns:
        ForgettingResult: the release file of the last task, the config and
        the summary.
    """
    import json

    from mmengine.runner import Runner

    from mmforget.evaluation.release_hygiene import (hygiene_problems,
                                                     release_path)
    from mmforget.models.pretrained_loading import checkpoint_state_dict
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    checkpoint_state_dict(checkpoint)  # refuses unsafe pickles early
    if isinstance(forget, (str, int)):
        forget = [forget]
    requested = [list(forget)] + [list(t) for t in then]
    if not all(requested):
        raise ValueError('every task must name at least one class')
    cfg = load_user_config(model_config, data_config)
    class_names = class_names_of(cfg)
    tasks = [resolve_classes(t, class_names) for t in requested]
    check_something_is_kept(tasks, class_names)
    cfg = build_forgetting_config(cfg, checkpoint, tasks, method=method,
                                  **settings)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is None:
        name = osp.splitext(osp.basename(model_config))[0]
        work_dir = osp.join('work_dirs', f'forget_{name}')
    earlier = [name for name in (CONFIG_NAME, 'forgetting_summary.json',
                                 'task_0.pth')
               if osp.exists(osp.join(work_dir, name))]
    if earlier:
        raise FileExistsError(
            f'{work_dir} already holds a forgetting run ({earlier[0]}); '
            'choose another --work-dir (nothing there is overwritten), or '
            f'resume it with tools/train.py {work_dir}/{CONFIG_NAME} '
            f'--work-dir {work_dir} --resume')
    check_training_data(cfg)
    os.makedirs(work_dir, exist_ok=True)
    cfg.work_dir = work_dir
    config_path = osp.join(work_dir, CONFIG_NAME)
    cfg.dump(config_path)
    runner = Runner.from_cfg(Config.fromfile(config_path))
    runner.train()
    del runner
    release = release_path(work_dir, len(tasks) - 1)
    problems = hygiene_problems(_load(release))
    if problems:
        raise RuntimeError(f'the release {release} is not clean: {problems}')
    with open(osp.join(work_dir, 'forgetting_summary.json')) as f:
        summary = json.load(f)
    return ForgettingResult(work_dir=work_dir, config=config_path,
                            release=release, summary=summary, tasks=tasks)


def _load(path):
    import torch
    return torch.load(path, map_location='cpu', weights_only=True)
