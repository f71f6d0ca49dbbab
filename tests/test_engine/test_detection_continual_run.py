"""End to end: GS-LoRA forgetting of detection classes through tools/*.py on
a few generated shapes images (one short epoch per task)."""
import json

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from conftest import call_tool
from mmforget.models import model_kind
from detection_helpers import (SHAPES_CONFIG, data_options, make_shapes,
                               short_shapes_run)

CONFIG = 'configs/gs_lora/gs-lora_deformable-detr-tiny_shapes_continual.py'


def run_log(work_dir):
    """The text of a run's mmengine log file(s)."""
    return ''.join(open(p).read() for p in work_dir.glob('*/*.log'))


@pytest.fixture(scope='module')
def detection_run(tmp_path_factory):
    root = make_shapes(tmp_path_factory.mktemp('shapes'), train=24, val=12)
    work_dir = tmp_path_factory.mktemp('detection_run')
    short_shapes_run(CONFIG, work_dir, root)
    return work_dir, root


def test_summary_scores_ap(detection_run):
    work_dir = detection_run[0]
    summary = json.load(open(work_dir / 'forgetting_summary.json'))
    assert summary['metric'] == 'bbox_mAP'
    assert len(summary['pretrained']['class_ap']) == 5
    task0, task1 = summary['tasks']
    assert task0['forget_classes'] == [4] and task1['forget_classes'] == [2]
    assert task1['old'] is not None
    for task in (task0, task1):
        assert 0 <= task['forget'] <= 100 and 0 <= task['retain'] <= 100
        assert task['drop'] == pytest.approx(
            task['forget_before'] - task['forget'])
        assert len(task['group_norms']) == 12
        fate = task['object_fate']  # every forgotten box has one fate
        assert fate['fof_detected'] + fate['fof_relabelled'] + \
            fate['fof_background'] == pytest.approx(100)
        assert 0 <= fate['agnostic_recall'] <= 100


def test_task_checkpoint_is_a_plain_mmdet_detector(detection_run):
    work_dir = detection_run[0]
    checkpoint = torch.load(work_dir / 'task_1.pth', weights_only=True)
    assert set(checkpoint) == {'meta', 'state_dict'}
    assert not any('lora' in k for k in checkpoint['state_dict'])
    with DefaultScope.overwrite_default_scope('mmdet'):
        plain = MODELS.build(Config.fromfile(SHAPES_CONFIG).model)
    plain.load_state_dict(checkpoint['state_dict'], strict=True)


def test_tools_test_reproduces_the_task_scores(detection_run):
    work_dir, root = detection_run
    out = work_dir / 'test_task_1.json'
    code, stdout, err = call_tool(
        ['tools/test.py', CONFIG, str(work_dir / 'task_1.pth'), '--work-dir',
         str(work_dir / 'test'), '--out', str(out), '--cfg-options'] +
        data_options(root))
    assert code == 0, (stdout + err)[-3000:]
    metrics = json.load(open(out))
    task1 = json.load(open(work_dir / 'forgetting_summary.json'))['tasks'][1]
    for key in ('forget', 'retain', 'old', 'drop', 'h_mean'):
        assert metrics[f'coco/{key}'] == pytest.approx(task1[key], abs=1e-6)


@pytest.mark.parametrize('config', [
    'configs/gs_lora/gs-lora_deformable-detr-tiny_shapes_continual-8shot.py',
    'configs/gs_lora_plus/'
    'gs-lora-plus_deformable-detr-tiny_shapes_continual-8shot.py'])
def test_few_shot_configs_build_a_matched_scope_detector(config):
    cfg = Config.fromfile(config)
    assert cfg.train_dataloader.dataset.few_shot == 8
    assert cfg.train_dataloader.dataset.type == (
        'mmforget.DetectionForgetRetainDataset')
    cfg.model.pretrained = None
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    assert model_kind(model) == 'detector'
    method = cfg.train_cfg.method
    assert method.forget_scope == 'matched'
    assert ('prototype_loss' in method) == ('gs-lora-plus' in config)
    assert method.forget_loss.loss_weight == [0.3, 0.4]


def test_classifier_checks_on_a_detector_are_refused_before_training(
        detection_run, tmp_path):
    root = detection_run[1]
    code, out, err = call_tool(
        ['tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'run'),
         '--cfg-options', 'model.pretrained=None',
         'train_cfg.evaluation.per_class=10'] + data_options(root))
    log = out + err
    assert code != 0
    assert 'ForgottenObjectFate' in log and 'has no embedding' in log
    assert not (tmp_path / 'run' / 'forgetting_summary.json').exists()


def test_retrain_detector_run_trains_fresh_detectors_on_kept_boxes(
        detection_run, tmp_path):
    """The Retrain detector config end to end: both tasks train every
    weight from scratch on the kept classes' boxes and release plain mmdet
    detectors scored like the forgetting runs."""
    root = detection_run[1]
    work_dir = tmp_path / 'retrain'
    code, out, err = call_tool(
        ['tools/train.py',
         'configs/retrain/retrain_deformable-detr-tiny_shapes_continual.py',
         '--work-dir', str(work_dir), '--cfg-options',
         'model.pretrained=None', 'train_cfg.max_epochs=1',
         'train_dataloader.batch_size=8'] + data_options(root))
    log = out + err + run_log(work_dir)
    assert code == 0, log[-3000:]
    summary = json.load(open(work_dir / 'forgetting_summary.json'))
    assert summary['method'] == 'Retrain'
    assert [t['forget_classes'] for t in summary['tasks']] == [[4], [2]]
    for task in summary['tasks']:
        assert task['trainable_params'] == task['total_params']
        assert 'fof_detected' in task['object_fate']
    assert 'retain.d0.loss_cls' in log  # the pre-training (auxiliary) loss
    assert 'loss_forget' not in log
    first = torch.load(work_dir / 'task_0.pth', weights_only=True)
    second = torch.load(work_dir / 'task_1.pth', weights_only=True)
    name = 'backbone.conv1.weight'  # each task starts from fresh weights
    assert not torch.equal(first['state_dict'][name],
                           second['state_dict'][name])
    with DefaultScope.overwrite_default_scope('mmdet'):
        plain = MODELS.build(Config.fromfile(SHAPES_CONFIG).model)
    plain.load_state_dict(second['state_dict'], strict=True)


@pytest.mark.parametrize('config, name', [
    ('configs/ft/ft_deformable-detr-tiny_shapes_continual.py', 'FT'),
    ('configs/ga/ga-bounded_deformable-detr-tiny_shapes_continual.py',
     'GA (bounded)'),
    ('configs/rl/rl_deformable-detr-tiny_shapes_continual.py', 'RL'),
    ('configs/salun/salun_deformable-detr-tiny_shapes_continual.py',
     'SalUn'),
    ('configs/ssd/ssd_deformable-detr-tiny_shapes_continual.py', 'SSD'),
])
def test_detection_baselines_run_and_release_plain_detectors(
        detection_run, tmp_path, config, name):
    """Every detection baseline config end to end (one short epoch per
    task; SSD trains none): both tasks scored, each released as a plain
    mmdet detector whose weights moved."""
    root = detection_run[1]
    work_dir = tmp_path / 'run'
    epochs = [] if name == 'SSD' else ['train_cfg.max_epochs=1']
    code, out, err = call_tool(
        ['tools/train.py', config, '--work-dir', str(work_dir),
         '--cfg-options', 'model.pretrained=None',
         'train_dataloader.batch_size=4',
         'train_dataloader.dataset.forget_rate=0.5'] + epochs +
        data_options(root))
    assert code == 0, (out + err)[-3000:]
    summary = json.load(open(work_dir / 'forgetting_summary.json'))
    assert summary['method'] == name
    assert [t['forget_classes'] for t in summary['tasks']] == [[4], [2]]
    with DefaultScope.overwrite_default_scope('mmdet'):
        plain = MODELS.build(Config.fromfile(SHAPES_CONFIG).model)
    first = torch.load(work_dir / 'task_0.pth',
                       weights_only=True)['state_dict']
    released = torch.load(work_dir / 'task_1.pth',
                          weights_only=True)['state_dict']
    plain.load_state_dict(released, strict=True)
    assert any(not torch.equal(released[k], first[k]) for k in first)
