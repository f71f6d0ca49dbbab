"""A classifier family besides ViT forgets end to end: a tiny ConvNeXt on the
digits (its pointwise linears get LoRA from the preset), 2 GS-LoRA tasks
through tools/train.py, and the released weights load into plain
mmpretrain."""
import json
import os

import torch
from mmengine.config import Config
from mmengine.registry import MODELS

import mmforget  # noqa: F401
from conftest import REPO_ROOT, run_tool

CONVNEXT_DIGITS = f"""
_base_ = '{REPO_ROOT}/configs/gs_lora/gs-lora_vit-tiny_digits_continual.py'
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True, type='ConvNeXt',
        arch=dict(depths=[1, 1], channels=[16, 32]),
        in_channels=1, stem_patch_size=2, layer_scale_init_value=1.0,
        out_indices=(1, )),
    head=dict(_delete_=True, type='LinearClsHead', num_classes=10,
              in_channels=32,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
train_cfg = dict(max_epochs=1, val_interval=1)
train_dataloader = dict(dataset=dict(schedule=dict(num_tasks=2)))
"""


def test_convnext_forgets_two_tasks_and_releases_plain_weights(tmp_path):
    config = tmp_path / 'gs-lora_convnext_digits.py'
    config.write_text(CONVNEXT_DIGITS)
    work_dir = tmp_path / 'run'
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    result, log = run_tool(['tools/train.py', str(config), '--work-dir',
                            str(work_dir)], env)
    assert result.returncode == 0, log[-3000:]
    summary = json.load(open(work_dir / 'forgetting_summary.json'))
    assert len(summary['tasks']) == 2
    # 2 ConvNeXt blocks = 2 groups; 4 pointwise linears at rank 4:
    # (4 * 16 + 64 * 4) + (4 * 64 + 16 * 4) + the same at 32/128 wide.
    task = summary['tasks'][1]
    assert len(task['group_norms']) == 2
    assert task['trainable_params'] == 2 * (4 * 16 + 64 * 4) + \
        2 * (4 * 32 + 128 * 4)
    release = torch.load(work_dir / 'release' / 'task_1.pth',
                         weights_only=True)['state_dict']
    cfg = Config.fromfile(str(config)).model
    cfg.type = 'ImageClassifier'
    for key in ('lora', 'pretrained'):
        cfg.pop(key)
    plain = MODELS.build(cfg)
    plain.load_state_dict(release, strict=True)
