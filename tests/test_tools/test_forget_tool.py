"""Forgetting in one command: tools/forget.py (and the Python API) on the
digits, classes named by name, from a plain classifier config."""
import json

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS

import mmforget  # noqa: F401
from conftest import REPO_ROOT, call_tool
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
    code, out, err = call_tool(forget_command(
        checkpoint, data_config, work_dir, '--forget', 'three', 'seven',
        '--then', 'one'))
    assert code == 0, (out + err)[-3000:]
    return work_dir, out


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


def test_unknown_class_and_used_work_dir_are_refused(user_setup, forget_run):
    root, checkpoint, data_config = user_setup
    code, _, err = call_tool(forget_command(
        checkpoint, data_config, root / 'other', '--forget', 'thre'))
    assert code == 2
    assert "unknown class 'thre'" in err and "Did you mean ['three']" in err
    assert not (root / 'other' / 'forget_config.py').exists()
    work_dir, _ = forget_run
    before = (work_dir / 'forgetting_summary.json').read_bytes()
    code, _, err = call_tool(forget_command(
        checkpoint, data_config, work_dir, '--forget', 'two'))
    assert code == 2 and 'already holds a forgetting run' in err
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


UNREADABLE = (' is not a readable checkpoint ({}); expected a PyTorch '
              'checkpoint written by torch.save, such as the .pth files of '
              'tools/train.py or tools/publish_checkpoint.py. Check the path, '
              'or copy the file again if it was cut short.')


def test_corrupt_checkpoint_is_one_line_before_anything_is_written(
        user_setup, tmp_path):
    """Random bytes and a cut-short checkpoint: one line naming the file
    and what was expected, exit 2, no traceback, no work dir."""
    _, checkpoint, data_config = user_setup
    cases = {'random.pth': (bytes(range(256)) * 20,
                            'neither a zip archive nor a pickle of '
                            'torch.save'),
             'cut.pth': (open(checkpoint, 'rb').read()[:5000],
                         'a zip archive whose end is missing: truncated')}
    for name, (data, reason) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        work_dir = tmp_path / f'run_{name}'
        code, _, err = call_tool(forget_command(
            str(path), data_config, work_dir, '--forget', 'three'))
        assert code == 2
        assert err == f'error: {path}' + UNREADABLE.format(reason) + '\n'
        assert not work_dir.exists()
        work_dir = tmp_path / f'train_{name}'
        code, _, err = call_tool(
            ['tools/train.py', MODEL_CONFIG, '--work-dir', str(work_dir),
             '--cfg-options', f'load_from={path}'])
        assert code == 2
        assert err == f'error: {path}' + UNREADABLE.format(reason) + '\n'
        assert not work_dir.exists()


def test_forgetting_every_class_leaves_no_work_dir(user_setup, tmp_path):
    _, checkpoint, data_config = user_setup
    work_dir = tmp_path / 'everything'
    code, out, err = call_tool(forget_command(
        checkpoint, data_config, work_dir, '--forget', *WORDS[:6],
        '--then', *WORDS[6:]))
    assert code == 2 and 'Traceback' not in out + err
    assert 'the tasks forget all 10 classes, which leaves no class to ' \
        'retain; keep at least one class' in err
    assert not work_dir.exists()


def test_train_py_refuses_a_continual_config_before_writing(
        user_setup, tmp_path):
    """A bad method, and a work dir holding an earlier run (left byte for
    byte as it was), are refused before the Runner writes its log dir."""
    _, checkpoint, _ = user_setup
    config = f'{REPO_ROOT}/configs/gs_lora/gs-lora_vit-tiny_digits_continual.py'
    command = ['tools/train.py', config, '--cfg-options',
               f'model.pretrained={checkpoint}']
    work_dir = tmp_path / 'bad_method'
    code, out, err = call_tool(command + [
        'train_cfg.method.type=mmforget.Nope', '--work-dir', str(work_dir)])
    assert code == 2 and 'Traceback' not in out + err
    assert "train_cfg.method: 'mmforget.Nope' is not a forgetting method; " \
        'choose one of [' in err
    assert not work_dir.exists()
    earlier = tmp_path / 'earlier'
    earlier.mkdir()
    (earlier / 'forgetting_summary.json').write_text('{"tasks": []}')
    (earlier / 'gs-lora_vit-tiny_digits_continual.py').write_text('# mine\n')
    before = {p.name: p.read_bytes() for p in earlier.iterdir()}
    code, out, err = call_tool(command + ['--work-dir', str(earlier)])
    assert code == 2 and 'Traceback' not in out + err
    assert 'already holds a forgetting run (forgetting_summary.json); ' \
        'pass --resume' in err
    assert {p.name: p.read_bytes() for p in earlier.iterdir()} == before
