"""Two CPU processes train through tools/dist_train.sh (torchrun + gloo)."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO_ROOT

GS_LORA = 'configs/gs_lora/gs-lora_vit-tiny_digits_continual.py'


def run_bounded(args, env, timeout=240):
    """Run a launcher in its own process group; past ``timeout`` kill the
    whole group (torchrun and both ranks) and fail, never hang."""
    start = time.time()
    process = subprocess.Popen(args, cwd=REPO_ROOT, env=env, text=True,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f'{args[:4]} still ran after {timeout} s: '
                    f'{(stdout + stderr)[-2000:]}')
    return process.returncode, stdout + stderr, time.time() - start


def test_two_process_baseline_needs_unused_parameter_detection(
        tmp_path, free_port, python_env, pretrained):
    """EWC freezes the head after DDP wrapped the model: without
    find_unused_parameters the run stops before training and says so;
    with it, it trains. Both ranks raise; each prints its traceback and
    exits at once, tearing nothing down (a teardown under DDP's live
    reducer could abort or hang), so the launcher exits (bounded)."""
    python_env['PORT'] = str(free_port)
    args = ['bash', 'tools/dist_train.sh',
            'configs/ewc/ewc_vit-tiny_digits_continual.py', '2',
            '--cfg-options', f'model.pretrained={pretrained}',
            'train_dataloader.dataset.schedule.num_tasks=1',
            'train_dataloader.dataset.data_ratio=0.2',
            'train_cfg.max_epochs=1']
    returncode, log, _ = run_bounded(
        args + ['--work-dir', str(tmp_path / 'a')], python_env)
    assert returncode != 0, log[-3000:]
    assert 'RuntimeError: EWC freezes parameters that were trainable when ' \
        'the model was wrapped for distributed training; add ' \
        'model_wrapper_cfg=dict(find_unused_parameters=True)' in log, \
        log[-3000:]
    assert 'SIGABRT' not in log and 'Aborted' not in log, log[-3000:]
    assert not os.path.exists(tmp_path / 'a' / 'forgetting_summary.json')
    returncode, log, _ = run_bounded(
        args + ['model_wrapper_cfg.find_unused_parameters=True',
                '--work-dir', str(tmp_path / 'b')], python_env)
    assert returncode == 0, log[-3000:]
    assert os.path.isfile(tmp_path / 'b' / 'task_0.pth')


# Acc_f, Acc_r, Acc_o and H-Mean may differ by this many points between one
# and two processes (same global batch of 32: 16 per rank): one test image
# of the two digits a task forgets (about 70 images, 1.4 points).
SUMMARY_TOLERANCE = 1.5


def test_two_processes_match_one_process(tmp_path, free_port, python_env,
                                         pretrained):
    """tools/dist_train.sh runs two CPU ranks (torchrun + gloo), and they
    train what one process trains. Two CPU ranks of 16 samples train what one process of 32 trains:
    each step sees the same 32 samples (DefaultSampler splits one shuffled
    order between the ranks) and DDP averages the two per-rank mean
    gradients. Not bit-identical: the gradients are summed in another
    order (gloo's allreduce), and GS-LoRA's bounded forget loss
    relu(bound - CE) is taken on each rank's 8 forget samples rather than
    on all 16, which is not linear in the samples."""
    options = ['--cfg-options', f'model.pretrained={pretrained}',
               'train_dataloader.dataset.schedule.num_tasks=2',
               'train_dataloader.dataset.data_ratio=0.2',
               'train_cfg.max_epochs=1', 'train_cfg.val_interval=1']
    python_env['PORT'] = str(free_port)
    returncode, log, _ = run_bounded(
        [sys.executable, 'tools/train.py', GS_LORA, '--work-dir',
         str(tmp_path / 'one')] + options, python_env)
    assert returncode == 0, log[-3000:]
    returncode, log, _ = run_bounded(
        ['bash', 'tools/dist_train.sh', GS_LORA, '2', '--work-dir',
         str(tmp_path / 'two')] + options +
        ['train_dataloader.batch_size=16'], python_env)
    assert returncode == 0, log[-3000:]
    assert 'Distributed training: True' in log
    # Summaries and releases come from rank 0 only.
    assert log.count('Task 0 done') == log.count('Task 1 done') == 1
    assert os.path.isfile(tmp_path / 'two' / 'task_1.pth')
    one, two = (json.load(open(tmp_path / name / 'forgetting_summary.json'))
                for name in ('one', 'two'))
    assert len(one['tasks']) == len(two['tasks']) == 2
    for a, b in zip(one['tasks'], two['tasks']):
        assert a['forget_classes'] == b['forget_classes']
        for key in ('forget', 'retain', 'old', 'h_mean'):
            if a[key] is None:
                assert b[key] is None
                continue
            assert abs(a[key] - b[key]) <= SUMMARY_TOLERANCE, (
                key, a['task'], a[key], b[key])
