"""Two CPU processes train through tools/dist_train.sh (torchrun + gloo)."""
import json
import os
import subprocess

from conftest import REPO_ROOT


def test_two_process_training_through_the_entry_point(tmp_path, free_port,
                                                      python_env):
    python_env['PORT'] = str(free_port)
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', 'configs/pretrain/vit-tiny_digits.py',
         '2', '--work-dir', str(tmp_path), '--cfg-options',
         'train_cfg.max_epochs=1'],
        cwd=REPO_ROOT, env=python_env, capture_output=True, text=True,
        timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert 'Distributed training: True' in log
    # 1078 training digits, batch 32: 34 batches, split over 2 ranks.
    assert 'Epoch(train) [1][17/17]' in log
    assert os.path.isfile(tmp_path / 'epoch_1.pth')


def test_two_process_continual_forgetting(tmp_path, free_port, python_env,
                                          pretrained):
    python_env['PORT'] = str(free_port)
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh',
         'configs/gs_lora/gs-lora_vit-tiny_digits_continual.py', '2',
         '--work-dir', str(tmp_path), '--cfg-options',
         f'model.pretrained={pretrained}',
         'train_dataloader.dataset.schedule.num_tasks=1',
         'train_cfg.max_epochs=2'],
        cwd=REPO_ROOT, env=python_env, capture_output=True, text=True,
        timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert log.count('Task 0 done') == 1  # summaries come from rank 0 only
    summary = json.load(open(tmp_path / 'forgetting_summary.json'))
    assert [t['task'] for t in summary['tasks']] == [0]
    assert os.path.isfile(tmp_path / 'task_0.pth')


def test_two_process_baseline_needs_unused_parameter_detection(
        tmp_path, free_port, python_env, pretrained):
    """EWC freezes the head after DDP wrapped the model: without
    find_unused_parameters the run stops before training and says so;
    with it, it trains."""
    python_env['PORT'] = str(free_port)
    args = ['bash', 'tools/dist_train.sh',
            'configs/ewc/ewc_vit-tiny_digits_continual.py', '2',
            '--cfg-options', f'model.pretrained={pretrained}',
            'train_dataloader.dataset.schedule.num_tasks=1',
            'train_dataloader.dataset.data_ratio=0.2',
            'train_cfg.max_epochs=1']
    result = subprocess.run(
        args + ['--work-dir', str(tmp_path / 'a')], cwd=REPO_ROOT,
        env=python_env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert 'model_wrapper_cfg=dict(find_unused_parameters=True)' in (
        result.stderr + result.stdout)
    assert not os.path.exists(tmp_path / 'a' / 'forgetting_summary.json')
    result = subprocess.run(
        args + ['model_wrapper_cfg.find_unused_parameters=True',
                '--work-dir', str(tmp_path / 'b')], cwd=REPO_ROOT,
        env=python_env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert os.path.isfile(tmp_path / 'b' / 'task_0.pth')
