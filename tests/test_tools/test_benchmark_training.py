"""tools/benchmark_training.py on the digits ViT: every mode timed, GS-LoRA
training its adapters only, full fine-tuning every weight."""
import importlib.util
import json
import math
import os

import pytest
import torch
from conftest import REPO_ROOT, run_tool

from mmforget.engine.optim_wrappers import GroupSparseOptimWrapper

CONFIG = 'configs/gs_lora/gs-lora_vit-tiny_digits_continual.py'
MODES = ('forward', 'floor', 'gs-lora', 'full-ft')
# The digits ViT: 4 blocks, width 64, FFN 128; LoRA rank 4 on both FFN
# linears (A: rank x in, B: out x rank).
LORA_PARAMS = 4 * ((4 * 64 + 128 * 4) + (4 * 128 + 64 * 4))


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location(
        'benchmark_training',
        os.path.join(REPO_ROOT, 'tools', 'benchmark_training.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def cfg(bench):
    return bench.load_config(os.path.join(REPO_ROOT, CONFIG))


def table_rows(log):
    rows = {}
    for line in log.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) == 7 and cells[0] in MODES:
            rows[cells[0], cells[1]] = cells
    return rows


def test_the_tool_tables_every_mode_in_fp32_and_amp(python_env, tmp_path):
    out = tmp_path / 'results.json'
    env = dict(python_env, OMP_NUM_THREADS='1')
    result, log = run_tool(
        ['tools/benchmark_training.py', CONFIG, '--batch', '2', '--warmup',
         '1', '--iters', '2', '--out', str(out)], env, timeout=300)
    assert result.returncode == 0, log[-3000:]
    rows = table_rows(result.stdout)
    assert set(rows) == {(m, p) for m in MODES for p in ('fp32', 'amp-bf16')}
    for cells in rows.values():
        images_per_s = float(cells[4])
        assert math.isfinite(images_per_s) and images_per_s > 0
    assert rows['gs-lora', 'fp32'][2] == f'{LORA_PARAMS:,}'
    assert rows['floor', 'fp32'][6] == '1.00'
    assert 'GS-LoRA step =' in result.stdout

    record = json.loads(out.read_text())
    assert record['images'] == 4 and record['input_shape'] == [1, 8, 8]
    results = {(r['mode'], r['precision']): r for r in record['results']}
    assert len(results) == 8
    for row in results.values():
        assert len(row['times_s']) == 2
        assert row['images_per_s'] > 0 and row['vs_floor'] > 0
    full = results['full-ft', 'fp32']
    assert full['trainable_params'] == full['total_params']


def test_trainable_parameter_counts(bench, cfg):
    rows = {r['mode']: r for r in bench.benchmark(
        cfg, precisions=('fp32', ), batch=1, warmup=0, iters=1,
        log=lambda message: None)}
    plain = bench.build_model(cfg, 'full-ft')
    assert rows['forward']['trainable_params'] == 0
    assert rows['floor']['trainable_params'] == 0
    assert rows['gs-lora']['trainable_params'] == LORA_PARAMS
    assert rows['full-ft']['trainable_params'] == sum(
        p.numel() for p in plain.parameters())
    assert rows['gs-lora']['total_params'] == (
        rows['full-ft']['total_params'] + LORA_PARAMS)
    for row in rows.values():
        assert row['images_per_s'] > 0 and row['ms_per_step'] > 0


def run_gs_lora_steps(bench, cfg, precision='fp32', amp_dtype='bf16',
                      grad_scaler=None):
    data = bench.random_batch(cfg, 2)
    model = bench.build_model(cfg, 'gs-lora', data=data)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all('.lora_' in n for n in trainable)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    step, optim_wrapper = bench.make_step(cfg, 'gs-lora', model, data,
                                          precision=precision,
                                          amp_dtype=amp_dtype)
    assert isinstance(optim_wrapper, GroupSparseOptimWrapper)
    if grad_scaler is not None:
        bench.with_amp(optim_wrapper, 'cpu', amp_dtype, grad_scaler)
    for _ in range(3):
        step()
    after = dict(model.named_parameters())
    for name, value in before.items():
        if name in trainable:
            continue
        assert torch.equal(after[name], value), name
    changed = [n for n in trainable if not torch.equal(after[n], before[n])]
    assert any(n.endswith('lora_B') for n in changed)  # B starts at 0


def test_gs_lora_step_changes_only_the_adapters(bench, cfg):
    run_gs_lora_steps(bench, cfg)


def test_gs_lora_amp_step_with_a_grad_scaler(bench, cfg):
    """The fp16 path of CUDA (autocast + GradScaler) on the CPU."""
    scaler = torch.amp.GradScaler('cpu', init_scale=2.**8)
    run_gs_lora_steps(bench, cfg, 'fp32', 'fp16', grad_scaler=scaler)
    assert scaler._scale is not None  # the loss went through the scaler


def test_floor_step_gives_no_weight_a_gradient(bench, cfg):
    data = bench.random_batch(cfg, 2)
    model = bench.build_model(cfg, 'floor', data=data)
    assert model.training and not any(
        p.requires_grad for p in model.parameters())
    step, optim_wrapper = bench.make_step(cfg, 'floor', model, data)
    assert optim_wrapper is None
    step()
    assert all(p.grad is None for p in model.parameters())


def test_full_ft_step_changes_every_weight(bench, cfg):
    data = bench.random_batch(cfg, 2)
    model = bench.build_model(cfg, 'full-ft', data=data)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    step, _ = bench.make_step(cfg, 'full-ft', model, data)
    step()
    unchanged = [n for n, p in model.named_parameters()
                 if torch.equal(p, before[n])]
    assert not unchanged
