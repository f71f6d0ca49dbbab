"""The 100-class handwritten numbers benchmark: data, schedule and configs."""
import glob
import os.path as osp
import random

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import DefaultSampler
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DATASETS, FUNCTIONS, MODELS
from torch.utils.data import DataLoader

import mmforget  # noqa: F401
from conftest import REPO_ROOT
from mmforget.datasets import DigitsDataset, HandwrittenNumbersDataset
from mmforget.datasets.digits import load_digit_images
from mmforget.registry import METHODS


def source_digits(dataset):
    return [dataset.get_data_info(i)['digits_indices']
            for i in range(len(dataset))]


def test_no_handwritten_digit_is_in_two_splits():
    used = {}
    for split in ('train', 'val', 'test'):
        pairs = source_digits(HandwrittenNumbersDataset(split=split))
        used[split] = {d for pair in pairs for d in pair}
        digits_split = DigitsDataset(split=split)
        allowed = {digits_split.get_data_info(i)['digits_index']
                   for i in range(len(digits_split))}
        assert used[split] <= allowed
    assert not used['train'] & used['val']
    assert not used['train'] & used['test']
    assert not used['val'] & used['test']


def test_images_are_the_tens_digit_beside_the_units_digit():
    images, labels = load_digit_images()
    dataset = HandwrittenNumbersDataset(split='val')
    assert dataset.metainfo['classes'][37] == '37'
    assert len(dataset.metainfo['classes']) == 100
    counts = np.bincount(dataset.get_gt_labels(), minlength=100)
    assert (counts == 20).all()
    for i in (0, 741, len(dataset) - 1):
        info = dataset.get_data_info(i)
        tens, units = info['digits_indices']
        assert info['img'].shape == (8, 16)
        assert labels[tens] == info['gt_label'] // 10
        assert labels[units] == info['gt_label'] % 10
        assert (info['img'][:, :8] == images[tens]).all()
        assert (info['img'][:, 8:] == images[units]).all()
    pairs = source_digits(dataset)  # distinct within a class
    assert len({(p, int(y)) for p, y in zip(pairs, dataset.get_gt_labels())}
               ) == len(pairs)


def test_same_seed_same_images_other_seed_other_images():
    a = source_digits(HandwrittenNumbersDataset(split='test', seed=0))
    b = source_digits(HandwrittenNumbersDataset(split='test', seed=0))
    c = source_digits(HandwrittenNumbersDataset(split='test', seed=1))
    assert a == b and a != c
    assert len(a) == 3000 and len(source_digits(
        HandwrittenNumbersDataset(split='train'))) == 10000


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='split must be one of'):
        HandwrittenNumbersDataset(split='training')
    with pytest.raises(ValueError, match='lower per_class'):
        HandwrittenNumbersDataset(split='val', per_class=5000)


NUMBERS_CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', 'gs_lora*', '*numbers*.py')))


def test_every_setting_has_both_methods():
    names = {osp.basename(c) for c in NUMBERS_CONFIGS}
    for setting in ('continual', 'continual-4shot', 'continual-missing5'):
        assert f'gs-lora_vit-6b_numbers_{setting}.py' in names
        assert f'gs-lora-plus_vit-6b_numbers_{setting}.py' in names


def test_schedule_is_the_papers_4x20_with_seed_1337():
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/gs_lora/gs-lora_vit-6b_numbers_continual.py'))
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    order = list(range(100))
    random.seed(1337)
    random.shuffle(order)  # the papers' order_list
    assert order[:3] == dataset.schedule.class_order[:3]
    shapes = []
    for i, task in enumerate(dataset.schedule):
        assert task.retain == order[:80 - 20 * i]
        assert task.forget == order[80 - 20 * i:100 - 20 * i]
        shapes.append(f'{len(task.retain) + len(task.forget)}-'
                      f'{len(task.forget)}')
    assert shapes == ['100-20', '80-20', '60-20', '40-20']
    # data_ratio 0.25: a quarter of the 2000 forget and 8000 retain images.
    assert (len(dataset.forget_indices), len(dataset.retain_indices)) == (
        500, 2000)


@pytest.mark.parametrize('config', NUMBERS_CONFIGS,
                         ids=[osp.basename(c) for c in NUMBERS_CONFIGS])
def test_config_builds_and_takes_a_training_step(config):
    cfg = Config.fromfile(config)
    cfg.model.pretrained = None
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert len(model.lora_groups) == 6
    method = METHODS.build(cfg.train_cfg.method)
    model.attach_method(method)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    loader = DataLoader(dataset, batch_size=4, collate_fn=FUNCTIONS.get(
        'mmforget.forget_retain_collate'), sampler=DefaultSampler(dataset))
    batch = next(iter(loader))
    model.start_task(0)
    method.set_trainable(model)
    if method.prototype_loss is not None:
        method.prototypes = model.class_prototypes([batch])
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    before = {n: p.clone() for n, p in model.named_parameters()}
    log_vars = model.train_step(batch, optim_wrapper)
    assert {'loss_retain', 'loss_forget'} <= set(log_vars)
    changed = {n for n, p in model.named_parameters()
               if not torch.equal(p, before[n])}
    assert changed and all('.lora_' in n for n in changed)
