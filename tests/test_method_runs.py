"""Every method through ContinualForgettingLoop: a run stopped between two
tasks and resumed gives the summary of the uninterrupted run."""
import csv
import glob
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import REPO_ROOT

CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', '*', '*_vit-tiny_digits_'
                       'continual.py')))
SCORES = ('forget_classes', 'forget_before', 'forget', 'retain', 'old',
          'h_mean', 'val', 'trainable_params')


def test_every_method_has_a_digits_config():
    methods = {osp.basename(osp.dirname(c)) for c in CONFIGS}
    assert methods == {'gs_lora', 'gs_lora_plus', 'retrain', 'l2', 'ewc',
                       'mas', 'lwf', 'der', 'derpp', 'fdr', 'scrub',
                       'scrub_s', 'ft', 'ga', 'l1_sparse', 'salun', 'ssd',
                       'boundary_shrink', 'rl', 'boundary_expanding', 'duck',
                       'slug', 'scar', 'laf'}


def run(config, work_dir, pretrained, num_tasks, resume=False, extra=None):
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({
        **(extra or {}),
        'model.pretrained': pretrained,
        'train_dataloader.dataset.schedule.num_tasks': num_tasks,
        'train_dataloader.dataset.data_ratio': 0.15,
        # Training-free methods (SSD) keep their 0 epochs.
        'train_cfg.max_epochs': min(2, cfg.train_cfg.max_epochs),
        'train_cfg.val_interval': 2,
        'default_hooks.logger.interval': 100,
    })
    cfg.work_dir = str(work_dir)
    cfg.resume = resume
    cfg.experiment_name = f'{osp.basename(config)}_{work_dir.name}_{resume}'
    Runner.from_cfg(cfg).train()
    return json.load(open(work_dir / 'forgetting_summary.json'))


@pytest.mark.parametrize('config', CONFIGS,
                         ids=[osp.basename(c).split('_')[0] for c in CONFIGS])
def test_resume_gives_the_uninterrupted_summary(config, pretrained,
                                                 tmp_path):
    whole = run(config, tmp_path / 'whole', pretrained, 2)
    run(config, tmp_path / 'stopped', pretrained, 1)
    resumed = run(config, tmp_path / 'stopped', pretrained, 2, resume=True)
    assert len(resumed['tasks']) == len(whole['tasks']) == 2
    for got, expected in zip(resumed['tasks'], whole['tasks']):
        assert ({k: got.get(k) for k in SCORES} ==
                {k: expected.get(k) for k in SCORES})
    assert resumed['method'] == whole['method']
    # The released task weights: plain keys only, nothing the method held.
    state = torch.load(tmp_path / 'stopped' / 'task_1.pth',
                       weights_only=True)['state_dict']
    assert not any('lora_' in k or 'teacher' in k for k in state)


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
