"""Forgetting in one command: tools/forget.py (and the Python API) on the
digits, classes named by name, from a plain classifier config."""
import json
import os

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS

import mmforget  # noqa: F401
from conftest import REPO_ROOT, run_tool
from mmforget.apis import build_forgetting_config, resolve_classes

MODEL_CONFIG = f'{REPO_ROOT}/configs/pretrain/vit-tiny_digits.py'
WORDS = ('zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven',
         'eight', 'nine')


@pytest.fixture(scope='module')
def user_setup(tmp_path_factory):
    """A user's digits classifier (random weights) and a data config whose
    classes are words."""
    root = tmp_path_factory.mktemp('user')
    model = MODELS.build(Config.fromfile(MODEL_CONFIG).model)
    checkpoint = root / 'digits.pth'
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    data_config = root / 'digits_words.py'
    data_config.write_text(
        f"_base_ = '{REPO_ROOT}/configs/_base_/datasets/digits.py'\n"
        f'classes = {WORDS!r}\n'
        'metainfo = dict(classes=classes)\n'
        'train_dataloader = dict(dataset=dict(metainfo=metainfo))\n'
        'test_dataloader = dict(dataset=dict(metainfo=metainfo))\n')
    return root, str(checkpoint), str(data_config)


def forget_command(checkpoint, data_config, work_dir, *classes):
    return ['tools/forget.py', MODEL_CONFIG, checkpoint, '--data',
            data_config, '--work-dir', str(work_dir), *classes,
            '--epochs', '1', '--batch-size', '16', '--rank', '2']


@pytest.fixture(scope='module')
def forget_run(user_setup):
    root, checkpoint, data_config = user_setup
    work_dir = root / 'run'
    result, log = run_tool(forget_command(
        checkpoint, data_config, work_dir, '--forget', 'three', 'seven',
        '--then', 'one'), dict(os.environ, PYTHONWARNINGS='ignore'))
    assert result.returncode == 0, log[-3000:]
    return work_dir, result.stdout


def test_named_classes_are_forgotten_task_by_task(forget_run):
    work_dir, stdout = forget_run
    summary = json.load(open(work_dir / 'forgetting_summary.json'))
    assert [t['forget_classes'] for t in summary['tasks']] == [[3, 7], [1]]
    release = work_dir / 'release' / 'task_1.pth'
    assert f'clean checkpoint (fit to release): {release}' in stdout
    state = torch.load(release, weights_only=True)['state_dict']
    plain = MODELS.build(Config.fromfile(MODEL_CONFIG).model)
    plain.load_state_dict(state, strict=True)  # merged: no LoRA left


def test_generated_config_reproduces_the_run_with_train_py(forget_run):
    work_dir, _ = forget_run
    cfg = Config.fromfile(str(work_dir / 'forget_config.py'))
    assert cfg.model.type == 'ForgettingClassifier'
    assert cfg.train_dataloader.dataset.schedule == dict(tasks=[[3, 7], [1]])
    assert cfg.train_cfg.type == 'mmforget.ContinualForgettingLoop'
    assert cfg.train_cfg.max_epochs == 1
    assert cfg.optim_wrapper.type == 'mmforget.GroupSparseOptimWrapper'
    assert cfg.work_dir == str(work_dir)


def test_unknown_class_and_used_work_dir_are_refused(user_setup, forget_run,
                                                     python_env):
    root, checkpoint, data_config = user_setup
    result, log = run_tool(forget_command(
        checkpoint, data_config, root / 'other', '--forget', 'thre'),
        python_env)
    assert result.returncode == 2
    assert "unknown class 'thre'" in log and "Did you mean ['three']" in log
    assert not (root / 'other' / 'forget_config.py').exists()
    work_dir, _ = forget_run
    before = (work_dir / 'forgetting_summary.json').read_bytes()
    result, log = run_tool(forget_command(
        checkpoint, data_config, work_dir, '--forget', 'two'), python_env)
    assert result.returncode == 2 and 'already holds a forgetting run' in log
    assert (work_dir / 'forgetting_summary.json').read_bytes() == before


def test_class_resolution():
    names = ['cat', 'dog', '7']
    assert resolve_classes(['dog', 0, '2'], names) == [1, 0, 2]
    assert resolve_classes(['7'], names) == [2]  # a name before an id
    with pytest.raises(ValueError, match='out of range.*3 classes'):
        resolve_classes([3], names)
    with pytest.raises(ValueError, match='named twice'):
        resolve_classes(['cat', 0], names)


def test_detector_config_gets_the_detection_protocol():
    cfg = build_forgetting_config(
        f'{REPO_ROOT}/configs/pretrain/dino-tiny_shapes.py', 'dino.pth',
        [[4]])
    assert cfg.model.type == 'ForgettingDINO'
    assert cfg.train_dataloader.dataset.type == \
        'mmforget.DetectionForgetRetainDataset'
    assert cfg.test_evaluator[0].ann_file.endswith('annotations/val.json')
    assert cfg.train_cfg.method.forget_loss.bound == 15.0
    assert cfg.optim_wrapper.optimizer.lr == 1e-3
    with pytest.raises(ValueError, match="unknown method 'salun'"):
        build_forgetting_config(MODEL_CONFIG, 'x.pth', [[1]],
                                method='salun')
