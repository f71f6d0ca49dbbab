"""O3: the orthogonality penalty, the random-label loss on forget images
only, the request detectors' decision by hand, the per-image gate, the
release that keeps the original weights (and is flagged), and a resumed
run that gives the uninterrupted one."""
import json
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope, MODELS
from mmengine.runner import Runner

from conftest import REPO_ROOT, call_tool
from method_helpers import (attach, digits_model_cfg, fake_context,
                            preprocess, random_batch)
from mmforget.evaluation.checks import (GateOpening, build_model,
                                        forgetting_task)
from mmforget.evaluation.release_hygiene import hygiene_problems
from mmforget.lora import LoRALinear
from mmforget.methods import O3, orthogonality_penalty
from mmforget.models import RequestGate

CONFIG = osp.join(REPO_ROOT, 'configs/o3/o3_vit-tiny_digits_continual.py')


def gated_classifier(seed=0, lora_b_std=0.5):
    """The digits ViT as a GatedAdapterClassifier, random adapters B (so
    that the adapters change the function) and a random head."""
    cfg = digits_model_cfg(lora=dict(rank=4))
    cfg.type = 'GatedAdapterClassifier'
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg)
    model.init_weights()
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith('lora_B'):
                param.normal_(0, lora_b_std)
            elif name.startswith('head.'):
                param.normal_(0, 0.5)
    return model, cfg


def test_the_orthogonality_penalty_by_hand():
    class TwoAdapters(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = LoRALinear(nn.Linear(3, 2), rank=2)
            self.second = LoRALinear(nn.Linear(2, 2), rank=1)

    model = TwoAdapters()
    with torch.no_grad():
        model.first.lora_A.copy_(torch.tensor([[1., 0., 0.], [0., 2., 0.]]))
        model.second.lora_A.copy_(torch.tensor([[1., 1.]]))
    earlier = [
        {'first': torch.tensor([[1., 1., 1.], [0., 0., 3.]]),
         'second': torch.tensor([[1., -1.]])},   # orthogonal: 0
        {'first': torch.tensor([[0., 1., 0.], [0., 0., 0.]]),
         'second': torch.tensor([[2., 0.]])},
    ]
    # A_s A^T: [[1, 2], [0, 0]] -> 5; [[0, 2], [0, 0]] -> 4; [[0]];
    # [[2]] -> 4.
    assert float(orthogonality_penalty(model, earlier).detach()) == \
        pytest.approx(13.)
    assert float(orthogonality_penalty(model, [])) == 0.
    penalty = orthogonality_penalty(model, earlier)
    penalty.backward()
    assert model.first.lora_A.grad is not None
    assert model.first.lora_B.grad is None  # only the A's enter


def test_a_sample_scale_gates_each_images_adapter_update():
    layer = LoRALinear(nn.Linear(4, 3), rank=2)
    with torch.no_grad():
        layer.lora_B.normal_()
    x = torch.randn(3, 5, 4)  # (batch, tokens, features)
    full, base = layer(x), nn.functional.linear(x, layer.weight, layer.bias)
    layer.sample_scale = torch.tensor([1., 0., 0.5])
    gated = layer(x)
    assert torch.allclose(gated[0], full[0])
    assert torch.allclose(gated[1], base[1])
    assert torch.allclose(gated[2], base[2] + 0.5 * (full[2] - base[2]),
                          atol=1e-6)


def test_the_detector_scores_and_decision_by_hand():
    """One block, two dimensions: mean (1, 0), covariance diag(1, 4) (plus
    the ridge), bank the unit training vectors."""
    train = torch.tensor([[0., -2.], [2., -2.], [0., 2.], [2., 2.]])
    heldout = torch.tensor([[1., 1.], [1., -1.], [3., 0.]])
    gate = RequestGate()
    gate.add_request(train[:, None], heldout[:, None], quantile=0.0,
                     ridge=0.0)
    stats = gate.statistics(0)
    assert torch.allclose(stats['mean'], torch.tensor([[1., 0.]]))
    assert torch.allclose(stats['precision'][0],
                          torch.diag(torch.tensor([1., 0.25])))
    query = torch.tensor([[[3., 2.]]])
    # -1/2 (2^2 / 1 + 2^2 / 4) = -2.5; cosine to (2, 2)/|.|: 0.9806.
    raw = gate.block_scores(query, stats['mean'], stats['precision'],
                            stats['bank'])
    assert raw.tolist()[0] == pytest.approx([-2.5, 5 / 26 ** .5], abs=1e-5)
    # Held-out scores: Mahalanobis -1/2 (0 + 1/4), -1/2 (0 + 1/4),
    # -1/2 (4); the threshold (quantile 0) is their lowest standardised
    # mean, so every held-out image is claimed.
    assert gate(heldout[:, None]).tolist() == [1., 1., 1.]
    far = torch.tensor([[[-30., 0.]]])
    assert gate(far).tolist() == [0.]
    # A second request around ``far`` claims ``far`` (its mean, and the
    # direction of a bank vector); the gate opens if any request claims.
    spread = torch.tensor([[0., 1.], [0., -1.], [1., 0.], [-1., 0.]])
    gate.add_request(far + 0.5 * spread[:, None],
                     far + 0.5 * torch.tensor([[.5, .5], [-.5, -.5],
                                               [.5, -.5]])[:, None],
                     quantile=0.0)
    assert gate.num_requests == 2
    assert gate(torch.cat([heldout[:1, None], far])).tolist() == [1., 1.]
    with pytest.raises(ValueError, match='2 held-out'):
        gate.add_request(train[:, None], heldout[:1, None])
    with pytest.raises(ValueError, match='not blocks'):
        gate.add_request(train[:, None], heldout[:, None], blocks=[3])


def test_the_gate_applies_the_adapters_only_to_claimed_images():
    model, cfg = gated_classifier()
    model.eval()
    inputs = preprocess(model, random_batch([True] * 4, [0, 1, 2, 3],
                                            seed=1))['inputs']
    with torch.no_grad():
        adapted = model.extract_feat(inputs)[-1]  # no request: in full
        tokens = model.block_tokens(inputs)
        model.gate_bypassed = True
        assert torch.equal(model.extract_feat(inputs)[-1], adapted)
        model.gate_bypassed = False
    torch.manual_seed(0)
    noise = 1e-2 * torch.randn(10, *tokens.shape[1:])
    model.adapter_gate.add_request(tokens[:2].repeat(3, 1, 1) + noise[:6],
                                   tokens[:2].repeat(2, 1, 1) + noise[6:],
                                   quantile=0.0, blocks=[3])
    # The decision: images 0 and 1 score above 2 and 3; a threshold between
    # them claims exactly the first two.
    scores = model.adapter_gate.request_scores(tokens, 0)
    assert scores[:2].min() > scores[2:].max()
    model.adapter_gate.request_0_threshold.fill_(
        float(scores[:2].min() + scores[2:].max()) / 2)
    opened = model.gate(inputs)
    assert opened.tolist() == [1., 1., 0., 0.]
    original = build_model(Config(dict(model=dict(
        cfg, type='ForgettingClassifier', lora=None))),
                           {k: v for k, v in model.state_dict().items()
                            if '.lora_' not in k
                            and not k.startswith('adapter_gate.')})
    original.eval()
    with torch.no_grad():
        gated = model.extract_feat(inputs)[-1]
        plain = original.extract_feat(inputs)[-1]
    assert torch.allclose(gated[:2], adapted[:2], atol=1e-5)
    assert torch.allclose(gated[2:], plain[2:], atol=1e-5)
    assert not torch.allclose(adapted[2:], plain[2:], atol=1e-3)
    # The release is the whole state: rebuilt from it, the model gates the
    # same way, and the release is flagged as restorable.
    state = model.released_state_dict()
    assert any('.lora_' in k for k in state)
    rebuilt = build_model(Config(dict(model=cfg)), state)
    rebuilt.eval()
    assert rebuilt.adapter_gate.num_requests == 1
    with torch.no_grad():
        assert torch.allclose(rebuilt.extract_feat(inputs)[-1], gated,
                              atol=1e-5)
    problems = hygiene_problems(dict(state_dict=state))
    assert problems[0].startswith(
        'restorable: the original weights ship with a gate')


def test_the_loss_reads_forget_images_only():
    model, cfg = gated_classifier()
    method, _ = attach(model, dict(type='mmforget.O3',
                                   orthogonality_weight=0.5),
                       fake_context(model_cfg=cfg))
    assert model.gate_bypassed
    assert all(p.requires_grad == ('.lora_' in n)
               for n, p in model.named_parameters())
    data = preprocess(model, random_batch([True, True, False, False],
                                          [1, 2, 3, 4]))
    inputs = data['inputs'].clone()
    inputs[2:] = float('nan')  # a kept image would poison the loss
    torch.manual_seed(3)
    losses = method.loss(model, inputs, data['data_samples'])
    torch.manual_seed(3)
    logits = model.logits(model.extract_feat(inputs[:2]))
    labels = torch.randint(logits.shape[1], (2, ))
    assert float(losses['loss_random_label']) == pytest.approx(
        float(nn.functional.cross_entropy(logits, labels)), abs=1e-5)
    assert float(losses['loss_orthogonality']) == 0.  # the first request
    method.earlier = [{n: torch.ones_like(m.lora_A) for n, m in
                       model.named_modules() if isinstance(m, LoRALinear)}]
    losses = method.loss(model, inputs, data['data_samples'])
    assert float(losses['loss_orthogonality']) == pytest.approx(
        0.5 * float(orthogonality_penalty(model, method.earlier)))


def test_a_plain_classifier_and_bad_settings_are_refused(pretrained):
    from method_helpers import build_classifier
    with pytest.raises(TypeError, match='GatedAdapterClassifier'):
        O3().check_model(build_classifier(lora=dict(rank=4)))
    with pytest.raises(ValueError, match='heldout_share'):
        O3(heldout_share=1.0)
    with pytest.raises(ValueError, match='lora'):
        cfg = digits_model_cfg(lora=None)
        cfg.type = 'GatedAdapterClassifier'
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            MODELS.build(cfg)


def run(work_dir, pretrained, num_tasks, resume=False):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict({
        'model.pretrained': pretrained,
        'train_dataloader.dataset.schedule.num_tasks': num_tasks,
        'train_dataloader.dataset.data_ratio': 0.15,
        'train_cfg.max_epochs': 2, 'train_cfg.val_interval': 2,
        'default_hooks.logger.interval': 100})
    cfg.work_dir = str(work_dir)
    cfg.resume = resume
    cfg.experiment_name = f'o3_{work_dir.name}_{resume}'
    Runner.from_cfg(cfg).train()
    return json.load(open(work_dir / 'forgetting_summary.json'))


def test_a_resumed_run_gives_the_uninterrupted_one_and_its_release_is_flagged(
        pretrained, tmp_path):
    whole = run(tmp_path / 'whole', pretrained, 2)
    run(tmp_path / 'stopped', pretrained, 1)
    resumed = run(tmp_path / 'stopped', pretrained, 2, resume=True)
    keys = ('forget', 'retain', 'old', 'h_mean')
    assert [{k: t.get(k) for k in keys} for t in resumed['tasks']] == [
        {k: t.get(k) for k in keys} for t in whole['tasks']]
    release = torch.load(tmp_path / 'whole' / 'release' / 'task_1.pth',
                         weights_only=True)
    state = release['state_dict']
    original = torch.load(pretrained, weights_only=True)['state_dict']
    # The original weights, bit for bit, plus adapters and two detectors.
    assert all(torch.equal(state[k], v) for k, v in original.items())
    assert sum(k.endswith('_threshold') for k in state) == 2
    assert hygiene_problems(release)[0].startswith('restorable')
    # The gate's openings, as the checks report them.
    cfg = Config.fromfile(CONFIG)
    path = str(tmp_path / 'whole' / 'task_1.pth')
    model = build_model(cfg, path)
    from mmpretrain.registry import DATASETS
    test = DATASETS.build(dict(cfg.test_dataloader.dataset))
    forgotten, kept = forgetting_task(path)
    opened = GateOpening()(model, None, test, forgotten, kept, per_class=10)
    assert set(opened) == {'gate_forget_test', 'gate_retain_test'}
    # The shares are of the images the gate opens on: a gate that opens on
    # odd-numbered images of each batch opens on half of 10 per class.
    model.gate = lambda inputs: (torch.arange(len(inputs)) % 2).float()
    assert GateOpening()(model, None, test, forgotten, kept,
                         per_class=10) == dict(gate_forget_test=50.0,
                                               gate_retain_test=50.0)
    # A model without detectors reports nothing.
    assert GateOpening()(build_model(cfg, pretrained), None, test,
                         forgotten, kept) == {}
    # The verifier refuses it in plain words, and tools/test.py gives the
    # run's scores from the task file (the gate loads with it).
    code, out, err = call_tool(['tools/verify_release.py', str(
        tmp_path / 'whole' / 'release' / 'task_1.pth')])
    assert code == 1
    assert 'restorable: the original weights ship with a gate' in out
    scores = tmp_path / 'test_task_1.json'
    code, out, err = call_tool(['tools/test.py', CONFIG, path, '--work-dir',
                                str(tmp_path / 'test'), '--out',
                                str(scores)])
    assert code == 0, (out + err)[-3000:]
    metrics = json.load(open(scores))
    for key in ('forget', 'retain', 'old', 'h_mean'):
        assert metrics[f'forgetting/{key}'] == pytest.approx(
            whole['tasks'][1][key]), key
