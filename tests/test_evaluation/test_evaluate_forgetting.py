"""tools/evaluate_forgetting.py on a real digits ViT: a model whose
forgotten classes are only masked in the head (hidden, not gone) scores
Acc_f 0, yet the probes read its features exactly as the original's and
the prototype attack brings the classes back."""
import json

import numpy as np
import pytest
import torch

from conftest import call_tool
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
    code, log, err = call_tool(
        ['tools/evaluate_forgetting.py', CONFIG, hidden, '--original',
         pretrained, '--reference', hidden, '--out', str(out),
         '--per-class', '60'])
    assert code == 0, (log + err)[-3000:]
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
    code, out_text, err = call_tool(
        ['tools/evaluate_forgetting.py', CONFIG, pretrained, '--out',
         str(out)])
    assert code != 0
    assert 'holds no meta.forgetting_task' in out_text + err
    assert not out.exists()


def test_relearning_on_a_real_model(pretrained, tmp_path):
    """The original is at its own Acc_f from step 0; relearning is
    deterministic (U and R the same model: the same curve, AIN 1 when it
    recovers) and never changes the model it was given."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmforget.evaluation.checks import ForgettingEvaluator
    hidden = str(tmp_path / 'task_0.pth')
    hide_in_head(pretrained, hidden)
    cfg = Config.fromfile(CONFIG)
    init_default_scope('mmpretrain')
    evaluator = ForgettingEvaluator(
        [dict(type='mmforget.StandardReport'),
         dict(type='mmforget.RelearnCurve', mode='full', steps=20,
              eval_every=10)], per_class=1000)
    model = evaluator.plain(cfg, hidden)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    results = evaluator.evaluate(
        cfg, FORGET, [c for c in range(10) if c not in FORGET], model,
        original=pretrained, reference=hidden)
    assert all(torch.equal(v, model.state_dict()[k])
               for k, v in before.items())
    original, forgotten, reference = (results[k] for k in 'OUR')
    assert original['relearn_full_steps'] == 0
    assert original['relearn_full_curve'][0][1] == pytest.approx(
        original['acc_f_test'])
    assert forgotten['relearn_full_curve'][0] == (0, 0.0)
    assert [s for s, _ in forgotten['relearn_full_curve']] == [0, 10, 20]
    assert forgotten['relearn_full_curve'] == reference['relearn_full_curve']
    assert forgotten['relearn_full_acc_f_10'] == forgotten[
        'relearn_full_curve'][1][1]
    assert forgotten['relearn_full_acc_f_30'] is None  # beyond 20 steps
    if forgotten['relearn_full_steps'] is not None:
        assert forgotten['relearn_full_ain'] == 1


def test_relearn_steps_and_anamnesis_index_by_hand():
    from mmforget.evaluation.checks.evaluator import add_anamnesis_index
    from mmforget.evaluation.checks.relearn import RelearnCurve
    curve = [(0, 0.0), (10, 20.0), (20, 39.0), (30, 50.0)]
    summary = RelearnCurve(mode='lora', steps=30).summarise(curve, 40.0)
    assert summary['relearn_lora_steps'] == 20  # 39 >= 0.95 * 40
    assert summary['relearn_lora_acc_f_30'] == 50.0
    assert summary['relearn_lora_acc_f_100'] is None
    results = dict(U=dict(relearn_lora_steps=20),
                   R=dict(relearn_lora_steps=80))
    add_anamnesis_index(results)
    assert results['U']['relearn_lora_ain'] == 0.25
