"""Every method through ContinualForgettingLoop. One method per kind of step
(GS-LoRA, SCRUB's two steps, Retrain, SSD training-free, LAF's two
optimizers) is stopped between two tasks and resumed, and must give the
uninterrupted run's summary; the others run one task."""
import csv
import glob
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import REPO_ROOT
from mmforget.evaluation.release_hygiene import hygiene_problems
from mmforget.registry import METHODS
from pinned_summaries import PINNED_METHODS, SCORES, check_pinned

CONFIGS = {
    osp.basename(osp.dirname(c)): c for c in sorted(glob.glob(osp.join(
        REPO_ROOT, 'configs', '*', '*_vit-tiny_digits_continual.py')))}
RESUMED = ('gs_lora', 'scrub', 'retrain', 'ssd', 'laf')


def method_type(config):
    return Config.fromfile(config).train_cfg.method.type.split('.')[-1]


def test_every_registered_method_has_a_digits_config():
    """Each method the registry lists runs on the digits (configs/<method>/
    ..._vit-tiny_digits_continual.py), once; lists come from the registry."""
    types = [method_type(c) for c in CONFIGS.values()]
    assert sorted(types) == sorted(set(types))
    # Methods that exist only to be subclassed have no config of their own.
    abstract = {'TeacherDistillation'}
    assert set(types) == set(METHODS.module_dict) - abstract
    assert set(RESUMED) <= set(CONFIGS)


def run(config, work_dir, pretrained, num_tasks, resume=False, extra=None,
        epochs=2):
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({
        **(extra or {}),
        'model.pretrained': pretrained,
        'train_dataloader.dataset.schedule.num_tasks': num_tasks,
        'train_dataloader.dataset.data_ratio': 0.15,
        # Training-free methods (SSD) keep their 0 epochs.
        'train_cfg.max_epochs': min(epochs, cfg.train_cfg.max_epochs),
        'train_cfg.val_interval': 2,
        'default_hooks.logger.interval': 100,
    })
    cfg.work_dir = str(work_dir)
    cfg.resume = resume
    cfg.experiment_name = f'{osp.basename(config)}_{work_dir.name}_{resume}'
    Runner.from_cfg(cfg).train()
    return json.load(open(work_dir / 'forgetting_summary.json'))


def released_keys(path):
    return list(torch.load(path, weights_only=True)['state_dict'])


@pytest.mark.parametrize('method', RESUMED)
def test_resume_gives_the_uninterrupted_summary(method, pretrained,
                                                 tmp_path):
    config = CONFIGS[method]
    whole = run(config, tmp_path / 'whole', pretrained, 2)
    run(config, tmp_path / 'stopped', pretrained, 1)
    resumed = run(config, tmp_path / 'stopped', pretrained, 2, resume=True)
    assert len(resumed['tasks']) == len(whole['tasks']) == 2
    for got, expected in zip(resumed['tasks'], whole['tasks']):
        assert ({k: got.get(k) for k in SCORES} ==
                {k: expected.get(k) for k in SCORES})
    assert resumed['method'] == whole['method']
    if method in PINNED_METHODS:  # and the run gives what it always gave
        check_pinned(method, whole)
    # The released task weights: plain keys only, nothing the method held.
    assert not any('lora_' in k or 'teacher' in k for k in released_keys(
        tmp_path / 'stopped' / 'task_1.pth'))


# O3 releases the original weights with its gate, S3T serves a store
# trained slice by slice: tests/test_methods/test_o3.py and test_s3t.py run
# them.
@pytest.mark.parametrize(
    'method', sorted(set(CONFIGS) - set(RESUMED) - {'o3', 's3t'}))
def test_one_task_of_every_other_method(method, pretrained, tmp_path):
    summary = run(CONFIGS[method], tmp_path, pretrained, 1, epochs=1)
    task, = summary['tasks']
    assert summary['method'] and task['forget_classes']
    for key in ('forget', 'retain', 'h_mean'):
        assert 0 <= task[key] <= 100, (key, task[key])
    # The released weights are the pre-trained model's, nothing added, and
    # the release passes tools/verify_release.py's checks.
    assert set(released_keys(tmp_path / 'task_0.pth')) == set(
        released_keys(pretrained))
    release = torch.load(tmp_path / 'release' / 'task_0.pth',
                         weights_only=True)
    original = torch.load(pretrained, weights_only=True)['state_dict']
    assert {k: v.shape for k, v in release['state_dict'].items()} == {
        k: v.shape for k, v in original.items()}
    assert hygiene_problems(release) == []


def test_a_run_points_at_its_retrain_reference(pretrained, tmp_path):
    retrain = run(osp.join(REPO_ROOT, 'configs/retrain/'
                           'retrain_vit-tiny_digits_continual.py'),
                  tmp_path / 'retrain', pretrained, 2)
    config = osp.join(REPO_ROOT,
                      'configs/gs_lora/gs-lora_vit-tiny_digits_continual.py')
    cfg_options = {'train_cfg.reference': str(tmp_path / 'retrain')}
    summary = run(config, tmp_path / 'gs', pretrained, 2, extra={
        **cfg_options, 'train_cfg.evaluation': dict(per_class=1000)})
    for mine, theirs in zip(summary['tasks'], retrain['tasks']):
        gaps = mine['gap_to_reference']
        assert gaps['forget'] == abs(mine['forget'] - theirs['forget'])
        assert gaps['retain'] == abs(mine['retain'] - theirs['retain'])
        assert ('old' in gaps) == (mine['task'] > 0)
        # The checks of O, U and R read every test image (per_class 1000),
        # so their test accuracies are the summary's.
        checks = mine['checks']
        assert set(checks) == {'O', 'U', 'R', 'seconds'}
        upto = mine['task'] + 1  # RTE: training minutes of the run so far
        assert checks['U']['rte'] == pytest.approx(sum(
            t['train_seconds'] for t in summary['tasks'][:upto]) / 60,
            abs=1e-3)
        assert checks['R']['rte'] == pytest.approx(sum(
            t['train_seconds'] for t in retrain['tasks'][:upto]) / 60,
            abs=1e-3)
        assert checks['U']['ta'] == pytest.approx(mine['retain'])
        assert checks['R']['ta'] == pytest.approx(theirs['retain'])
        if mine['task'] == 0:  # no earlier forgotten classes yet
            assert checks['U']['acc_f_test'] == pytest.approx(
                mine['forget'])
            assert checks['O']['acc_f_test'] == pytest.approx(
                mine['forget_before'])
            assert checks['R']['acc_f_test'] == pytest.approx(
                theirs['forget'])
    # The summary plot gets a third panel, the checks per task.
    from PIL import Image
    width = Image.open(tmp_path / 'gs' / 'forgetting_summary.png').size[0]
    assert width == 1650  # 16.5 inches at 100 dpi (two panels: 11)
    rows = list(csv.DictReader(open(tmp_path / 'gs' /
                                    'forgetting_summary.csv')))
    assert float(rows[1]['check:probe_acc_f']) == pytest.approx(
        summary['tasks'][1]['checks']['U']['probe_acc_f'])
    # A reference of another schedule is refused before training.
    with pytest.raises(ValueError, match='does not hold the tasks'):
        run(config, tmp_path / 'other', pretrained, 2, extra={
            **cfg_options,
            'train_dataloader.dataset.schedule.order_seed': 5})
    assert not (tmp_path / 'other' / 'forgetting_summary.json').exists()
