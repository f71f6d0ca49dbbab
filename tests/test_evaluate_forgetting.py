"""tools/evaluate_forgetting.py on a real digits ViT: a model whose
forgotten classes are only masked in the head (hidden, not gone) scores
Acc_f 0, yet the probes read its features exactly as the original's and
the prototype attack brings the classes back."""
import json
import os

import numpy as np
import torch

from conftest import run_tool
from mmforget.compat.checkpoint_loading import load_from_local_safely

CONFIG = 'configs/gs_lora/gs-lora_vit-tiny_digits_continual.py'
FORGET = [8, 9]


def hide_in_head(pretrained, path):
    """The original weights, with the forgotten classes' head rows negated
    and their biases lowered, saved as a released task checkpoint."""
    state = load_from_local_safely(pretrained, 'cpu')['state_dict']
    state['head.layers.head.weight'][FORGET] *= -1
    state['head.layers.head.bias'][FORGET] -= 10
    task = dict(task=0, forget=FORGET, old=[], missing=[],
                retain=[c for c in range(10) if c not in FORGET])
    torch.save(dict(state_dict=state, meta=dict(forgetting_task=task)), path)


def test_a_class_hidden_in_the_head_is_flagged(pretrained, tmp_path):
    hidden = str(tmp_path / 'task_0.pth')
    hide_in_head(pretrained, hidden)
    out = tmp_path / 'checks.json'
    result, log = run_tool(
        ['tools/evaluate_forgetting.py', CONFIG, hidden, '--original',
         pretrained, '--reference', hidden, '--out', str(out),
         '--per-class', '60'], dict(os.environ, PYTHONWARNINGS='ignore'))
    assert result.returncode == 0, log[-3000:]
    report = json.load(open(out))
    assert report['forgotten'] == FORGET
    original, hidden = report['results']['O'], report['results']['U']
    assert hidden['acc_f_test'] == 0 and hidden['ua'] == 100
    assert original['acc_f_test'] > 20
    # Same features: the probes cannot tell the two models apart.
    for key in ('probe_acc_f', 'probe_acc_r', 'knn_acc_f', 'knn_acc_r'):
        assert hidden[key] == original[key]
    # Five test images per class rebuild the masked rows.
    assert hidden['proto_acc_f'] >= 0.8 * original['proto_acc_f'] > 15
    # U is its own reference here: every gap 0; the probe's Residual is
    # undefined, as O and R have the same features.
    rows = {row['metric']: row for row in report['gap_card']}
    assert rows['probe_acc_f']['gap'] == rows['ua']['gap'] == 0
    assert rows['probe_acc_f']['residual'] is None
    assert np.isclose(report['avg_gap'], 0)
    assert '| probe_acc_f | near R |' in log


def test_a_checkpoint_without_a_task_is_refused(pretrained, tmp_path):
    out = tmp_path / 'checks.json'
    result, log = run_tool(
        ['tools/evaluate_forgetting.py', CONFIG, pretrained, '--out',
         str(out)], dict(os.environ, PYTHONWARNINGS='ignore'))
    assert result.returncode != 0
    assert 'holds no meta.forgetting_task' in log
    assert not out.exists()
