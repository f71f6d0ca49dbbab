"""End to end: GS-LoRA continual forgetting on digits through tools/*.py."""
import json
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from conftest import REPO_ROOT, call_tool, run_tool

CONFIG = 'configs/gs_lora/gs-lora_vit-tiny_digits_continual.py'
PRETRAIN_CONFIG = 'configs/pretrain/vit-tiny_digits.py'


def forgetting_args(pretrained, num_tasks, epochs=2):
    return ['--cfg-options', f'model.pretrained={pretrained}',
            f'train_dataloader.dataset.schedule.num_tasks={num_tasks}',
            'train_dataloader.dataset.data_ratio=0.2',
            f'train_cfg.max_epochs={epochs}', 'train_cfg.val_interval=1']


@pytest.fixture(scope='module')
def two_task_run(pretrained, tmp_path_factory):
    """Task 0 in one run, then --resume adds task 1: a stop between tasks."""
    work_dir = tmp_path_factory.mktemp('continual')
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    result, log = run_tool(['tools/train.py', CONFIG, '--work-dir',
                            str(work_dir)] + forgetting_args(pretrained, 1),
                           env)
    assert result.returncode == 0, log[-3000:]
    first = json.load(open(work_dir / 'forgetting_summary.json'))
    task0_mtime = os.stat(work_dir / 'task_0.pth').st_mtime_ns
    result, log = run_tool(
        ['tools/train.py', CONFIG, '--work-dir', str(work_dir), '--resume'] +
        forgetting_args(pretrained, 2), env)
    assert result.returncode == 0, log[-3000:]
    return work_dir, first, task0_mtime, log


def test_resume_continues_after_the_finished_task(two_task_run):
    work_dir, first, task0_mtime, log = two_task_run
    assert 'Resuming after 1 finished task(s)' in log
    summary = json.load(open(work_dir / 'forgetting_summary.json'))
    assert [t['task'] for t in summary['tasks']] == [0, 1]
    assert summary['tasks'][0] == first['tasks'][0]  # not repeated
    assert os.stat(work_dir / 'task_0.pth').st_mtime_ns == task0_mtime


def test_summary_has_the_documented_fields(two_task_run):
    work_dir = two_task_run[0]
    summary = json.load(open(work_dir / 'forgetting_summary.json'))
    assert summary['method'] == 'GS-LoRA'
    assert summary['metric'] == 'accuracy'
    assert set(summary['pretrained']) >= {'retain', 'forget'}
    task0, task1 = summary['tasks']
    assert task0['old'] is None
    assert task1['old'] is not None
    assert task0['forget_classes'] != task1['forget_classes']
    for task in (task0, task1):
        assert task['drop'] == pytest.approx(
            task['forget_before'] - task['forget'])
        assert 0 <= task['forget'] <= 100 and 0 <= task['retain'] <= 100
        assert task['trainable_params'] < 0.05 * task['total_params']
        assert 0 <= task['zero_group_ratio'] <= 1
        val = task['val']  # the released state on the validation split
        assert set(val) >= {'forget', 'retain', 'drop', 'h_mean'}
        assert val['h_mean'] == pytest.approx(
            2 * val['drop'] * val['retain'] / (val['drop'] + val['retain']))
    assert (work_dir / 'forgetting_summary.csv').is_file()
    assert (work_dir / 'forgetting_summary.png').stat().st_size > 1000


def test_released_checkpoint_holds_merged_weights_only(two_task_run):
    work_dir = two_task_run[0]
    checkpoint = torch.load(work_dir / 'task_1.pth', weights_only=True)
    assert set(checkpoint) == {'meta', 'state_dict'}
    assert not any('lora' in k for k in checkpoint['state_dict'])
    # It loads strictly into the plain mmpretrain classifier.
    cfg = Config.fromfile(osp.join(REPO_ROOT, PRETRAIN_CONFIG))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        plain = MODELS.build(cfg.model)
    plain.load_state_dict(checkpoint['state_dict'], strict=True)


def test_the_release_file_passes_the_verifier_the_task_file_does_not(
        two_task_run, pretrained):
    """release/task_<t>.pth: the task's weights and no class ids; the
    verifier lists the changed blocks (FFNs only, rank at most the two
    tasks' LoRA ranks) and fails the work dir's task file."""
    work_dir = two_task_run[0]
    release = torch.load(work_dir / 'release' / 'task_1.pth',
                         weights_only=True)
    task = torch.load(work_dir / 'task_1.pth', weights_only=True)
    assert release['meta'] == dict(release=True, method='GS-LoRA')
    assert release['state_dict'].keys() == task['state_dict'].keys()
    assert all(torch.equal(v, task['state_dict'][k])
               for k, v in release['state_dict'].items())
    code, out, err = call_tool(
        ['tools/verify_release.py', str(work_dir / 'release' / 'task_1.pth'),
         '--original', pretrained])
    assert code == 0, err[-3000:]
    assert 'fit to release' in out
    rows = [line.split(' | ') for line in out.splitlines()
            if line.startswith('| backbone') or line.startswith('| head')]
    assert rows and all(r[0].startswith('| backbone.layers.') for r in rows)
    ranks = [int(x) for r in rows for x in r[3].strip(' |').split(', ')]
    assert max(ranks) <= 2 * 4
    code, out, err = call_tool(['tools/verify_release.py',
                                str(work_dir / 'task_1.pth')])
    assert code == 1
    assert 'meta "forgetting_task" (names the forgotten classes)' in out + err


def test_tools_test_reproduces_the_task_scores(two_task_run):
    work_dir = two_task_run[0]
    out = work_dir / 'test_task_1.json'
    code, stdout, err = call_tool(
        ['tools/test.py', CONFIG, str(work_dir / 'task_1.pth'), '--work-dir',
         str(work_dir / 'test'), '--out', str(out)])
    assert code == 0, (stdout + err)[-3000:]
    metrics = json.load(open(out))
    task1 = json.load(open(work_dir / 'forgetting_summary.json'))['tasks'][1]
    for key in ('forget', 'retain', 'old', 'drop', 'h_mean'):
        assert metrics[f'forgetting/{key}'] == pytest.approx(task1[key])


def test_a_new_run_refuses_a_work_dir_with_results(two_task_run, pretrained):
    work_dir = two_task_run[0]
    before = open(work_dir / 'forgetting_summary.json').read()
    code, out, err = call_tool(
        ['tools/train.py', CONFIG, '--work-dir', str(work_dir)] +
        forgetting_args(pretrained, 2))
    assert code == 2
    assert 'already holds a forgetting run' in err
    assert open(work_dir / 'forgetting_summary.json').read() == before


@pytest.mark.parametrize('option, message', [
    ('train_dataloader.dataset.schedule.tasks=[[3,11]]',
     'class 11 is not in the dataset'),
    ('train_dataloader.dataset.schedule.tasks=[[3,4],[4,5]]',
     'both forget class 4'),
    ('train_dataloader.dataset.data_ratio=0.002', 'split is empty'),
])
def test_bad_input_fails_before_training(tmp_path, pretrained, option,
                                         message):
    args = ['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
            '--cfg-options', f'model.pretrained={pretrained}', option]
    if 'tasks=' in option:
        args += ['train_dataloader.dataset.schedule.num_tasks=None',
                 'train_dataloader.dataset.schedule.first_num_classes=None',
                 'train_dataloader.dataset.schedule.forget_per_task=None']
    code, out, err = call_tool(args)
    assert code != 0
    assert message in out + err
    assert not (tmp_path / 'forgetting_summary.json').exists()


def test_a_checkpoint_that_does_not_fit_is_refused(tmp_path):
    wrong = tmp_path / 'wrong.pth'
    torch.save(dict(state_dict={'backbone.cls_token': torch.zeros(1, 1, 32)}),
               wrong)
    code, out, err = call_tool(
        ['tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'run'),
         '--cfg-options', f'model.pretrained={wrong}'])
    assert code != 0
    assert 'does not fit the model' in out + err
    assert not (tmp_path / 'run' / 'forgetting_summary.json').exists()


def test_ema_of_the_adapters_is_what_the_task_keeps(tmp_path, pretrained):
    """With decay 0 the EMA is the last epoch: same result as no EMA; with a
    begin epoch past the end there is no EMA at all."""
    from mmengine.runner import Runner
    results = {}
    for name, ema in (('none', None), ('decay0', dict(begin_epoch=1,
                                                         decay=0.0)),
                      ('half', dict(begin_epoch=1, decay=0.5))):
        cfg = Config.fromfile(osp.join(REPO_ROOT, CONFIG))
        cfg.merge_from_dict({
            'work_dir': str(tmp_path / name), 'log_level': 'WARNING',
            'model.pretrained': pretrained,
            'train_dataloader.dataset.schedule.num_tasks': 1,
            'train_dataloader.dataset.data_ratio': 0.2,
            'train_cfg.max_epochs': 3, 'train_cfg.ema': ema,
            'randomness.seed': 0})
        runner = Runner.from_cfg(cfg)
        runner.train()
        results[name] = runner.model.merged_state_dict()
    key = 'backbone.layers.3.ffn.layers.1.weight'
    torch.testing.assert_close(results['decay0'][key], results['none'][key])
    assert not torch.allclose(results['half'][key], results['none'][key])


def test_windows_of_a_split_with_persistent_workers_are_refused(
        tmp_path, pretrained):
    """An epoch shorter than a split is read in windows that the loop sets
    each epoch, which persistent workers' copies of the dataset never see:
    refused before training, nothing written."""
    code, out, err = call_tool(
        ['tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'run'),
         '--cfg-options', f'model.pretrained={pretrained}',
         'train_dataloader.dataset.epoch_length=10',
         'train_dataloader.num_workers=2',
         'train_dataloader.persistent_workers=True'])
    assert code != 0
    assert 'persistent_workers=False' in out + err
    assert not (tmp_path / 'run' / 'forgetting_summary.json').exists()
