"""S3T: the slice orders and top-down blocks, the surviving prefixes, and
on a store trained on the digits, the guarantee: after a deletion the
served weights are a checkpoint none of whose training images belongs to a
deleted slice, the head versioned with it, and every invalidated file is
gone."""
import json
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import REPO_ROOT, call_tool
from mmforget.engine.runner.sliced_train_loop import (cyclic_orders,
                                                      step_blocks)
from mmforget.methods.s3t import surviving_prefixes

TRAIN = osp.join(REPO_ROOT, 'configs/s3t/s3t-train_vit-tiny_digits.py')
DELETE = osp.join(REPO_ROOT, 'configs/s3t/s3t_vit-tiny_digits_continual.py')


def test_orders_blocks_and_prefixes_by_hand():
    assert cyclic_orders(3, 3) == [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
    assert cyclic_orders(3, 1) == [[0, 1, 2]]
    # 6 blocks, 5 slices: one block a step from the top; 4 and 2: two.
    assert [step_blocks(i, 6, 5) for i in range(5)] == [[5], [4], [3], [2],
                                                        [1]]
    assert [step_blocks(i, 4, 2) for i in range(2)] == [[3, 2], [1, 0]]
    orders = cyclic_orders(3, 3)
    assert surviving_prefixes(orders, set()) == [3, 3, 3]
    assert surviving_prefixes(orders, {1}) == [1, 0, 2]
    assert surviving_prefixes(orders, {0, 2}) == [0, 1, 0]


@pytest.fixture(scope='module')
def store(tmp_path_factory):
    """A digits S3T store (base 0-5, slices 6-7 and 8-9), briefly trained."""
    work_dir = tmp_path_factory.mktemp('s3t_train')
    code, out, err = call_tool(
        ['tools/train.py', TRAIN, '--work-dir', str(work_dir),
         '--cfg-options', 'train_cfg.base_epochs=2',
         'train_cfg.epochs_per_step=1'])
    assert code == 0, (out + err)[-3000:]
    return work_dir / 's3t_store'


def labels_of(images):
    from mmpretrain.registry import DATASETS
    cfg = Config.fromfile(TRAIN)
    dataset = DATASETS.build(dict(cfg.train_dataloader.dataset))
    from mmforget.datasets.forget_retain_dataset import dataset_labels
    return dataset_labels(dataset)[np.asarray(images, dtype=int)]


def test_every_checkpoint_saw_exactly_its_lineage(store):
    index = json.load(open(store / 'index.json'))
    assert index['slices'] == [[6, 7], [8, 9]]
    assert index['base_classes'] == [0, 1, 2, 3, 4, 5]
    assert index['orders'] == [[0, 1], [1, 0]]
    for name, entry in index['checkpoints'].items():
        seen = set(labels_of(entry['images']).tolist())
        allowed = set(index['base_classes']) | {
            c for s in entry['lineage'] for c in index['slices'][s]}
        assert seen == allowed, name
    assert index['checkpoints']['sequence1_step0']['lineage'] == [1]


def run_deletions(store, work_dir, tasks, delete_files=True,
                  method_store=None):
    cfg = Config.fromfile(DELETE)
    cfg.merge_from_dict({
        'model.pretrained': str(store / 'served.pth'),
        'train_cfg.method.store': str(method_store or store),
        'train_cfg.method.delete_files': delete_files,
        'train_dataloader.dataset.schedule.tasks': tasks})
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f's3t_{work_dir.name}'
    Runner.from_cfg(cfg).train()
    return json.load(open(work_dir / 'forgetting_summary.json'))


def test_a_deletion_serves_a_prefix_that_never_saw_the_slice(store,
                                                             tmp_path):
    copy = tmp_path / 'store'
    shutil.copytree(store, copy)
    before = json.load(open(copy / 'index.json'))
    deleted_images = set()
    for entry in before['checkpoints'].values():
        images = np.asarray(entry['images'])
        deleted_images |= set(images[np.isin(labels_of(images), [8, 9])]
                              .tolist())
    summary = run_deletions(copy, tmp_path / 'run', [[8, 9]])
    assert summary['tasks'][0]['forget_classes']
    served = torch.load(tmp_path / 'run' / 'task_0.pth',
                        weights_only=True)['state_dict']
    expected = torch.load(copy / 'sequence0_step0.pth',
                          weights_only=True)['state_dict']
    # The served weights, head included, are the checkpoint saved before
    # slice 1 entered order [0, 1], bit for bit.
    assert served.keys() == expected.keys()
    assert all(torch.equal(served[k], v) for k, v in expected.items())
    final = torch.load(store / 'sequence0_step1.pth',
                       weights_only=True)['state_dict']
    assert not torch.equal(served['head.layers.head.weight'],
                           final['head.layers.head.weight'])
    # No active weight was updated with a deleted image.
    after = json.load(open(copy / 'index.json'))
    lineage_images = set(after['checkpoints']['sequence0_step0']['images'])
    assert deleted_images and not lineage_images & deleted_images
    # Every checkpoint whose lineage holds slice 1 is gone from the store.
    assert set(after['checkpoints']) == {'base', 'sequence0_step0'}
    for name in ('sequence0_step1', 'sequence1_step0', 'sequence1_step1',
                 'served'):
        assert not (copy / f'{name}.pth').exists(), name
    assert (copy / 'sequence0_step0.pth').exists()


def test_deleting_every_slice_serves_the_base_and_bad_requests_are_refused(
        store, tmp_path):
    summary = run_deletions(store, tmp_path / 'both', [[8, 9], [6, 7]],
                            delete_files=False)
    assert len(summary['tasks']) == 2
    served = torch.load(tmp_path / 'both' / 'task_1.pth',
                        weights_only=True)['state_dict']
    base = torch.load(store / 'base.pth', weights_only=True)['state_dict']
    assert all(torch.equal(served[k], v) for k, v in base.items())
    assert (store / 'sequence1_step1.pth').exists()  # the store is whole
    with pytest.raises(ValueError, match='whole slices'):
        run_deletions(store, tmp_path / 'part', [[8]], delete_files=False)
    with pytest.raises(ValueError, match='base class'):
        run_deletions(store, tmp_path / 'base', [[3]], delete_files=False)
    with pytest.raises(FileNotFoundError, match='SlicedTrainLoop'):
        run_deletions(store, tmp_path / 'none', [[8, 9]],
                      delete_files=False, method_store=tmp_path / 'nowhere')


def test_the_deletion_table_by_hand(tmp_path):
    """Two slices, orders [0, 1] and [1, 0]: deleting slice 1 serves order
    0's first step (1 of 1 kept slice); retraining one order on 1 kept
    slice costs sequence 0's first step (3 s)."""
    from mmforget.benchmarks.sliced import s3t_table
    store = tmp_path / 'train_seed0' / 's3t_store'
    store.mkdir(parents=True)
    checkpoints = {'base': dict(seconds=10.0)}
    for sequence in (0, 1):
        for step in (0, 1):
            checkpoints[f'sequence{sequence}_step{step}'] = dict(
                seconds=3.0 + step)
    json.dump(dict(slices=[[6, 7], [8, 9]], orders=[[0, 1], [1, 0]],
                   checkpoints=checkpoints), open(store / 'index.json', 'w'))
    run = tmp_path / 'delete_seed0'
    run.mkdir()
    json.dump(dict(tasks=[
        dict(forget_classes=[8, 9], forget=0.0, retain=70.0, old=None,
             train_seconds=0.01, forget_before=60.0, retain_pretrained=75.0),
        dict(forget_classes=[6, 7], forget=0.0, retain=80.0, old=0.0,
             train_seconds=0.02)]), open(run / 'forgetting_summary.json',
                                         'w'))
    table = s3t_table(str(tmp_path))
    rows = [line for line in table.splitlines() if line.startswith('| 1')
            or line.startswith('| 2')]
    assert rows[0] == ('| 1 | 8-9 | 6-7 | 1 / 1 | 0.0 | 70.0 | – | 0.01 | '
                       '3.0 |')
    assert rows[1].startswith('| 2 | 6-7 | the base only | 0 / 0 |')
    assert rows[1].endswith('| nothing to retrain |')
    assert 'Training the store: 24.0 s (the base: 10.0 s)' in table
