"""PRR: the start of a task is exactly Subspace removal then Head reset,
the repair trains only fresh adapters on kept classes, and the merged
release equals the adapted model."""
import copy

import pytest
import torch

import mmforget  # noqa: F401
from method_helpers import (attach, build_classifier, fake_context,
                            preprocess, random_batch)
from mmforget.methods.head_reset import HeadReset
from mmforget.methods.project_reset_repair import ProjectResetRepair
from mmforget.methods.subspace_removal import SubspaceRemoval

LORA = dict(rank=2, alpha=1.0, targets=[
    r'backbone\.layers\.(\d+)\.(?:attn\.qkv|attn\.proj|'
    r'ffn\.layers\.0\.0|ffn\.layers\.1)'])
FORGET = (8, 9)


def batches():
    return [random_batch([True, True, False, False, False, False],
                         [8, 9, 1, 2, 3, 4], seed=s) for s in range(3)]


def context():
    return fake_context(forget=FORGET, batches=batches(), max_epochs=2)


def plain_weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()
            if 'lora_' not in k}


def test_the_start_is_the_projection_then_the_head_reset():
    model = build_classifier(lora=LORA)
    expected = copy.deepcopy(model)
    for step in (SubspaceRemoval(100.0, 300.0, 1000), HeadReset(0.0)):
        step.start_task(expected, context())
    method, _ = attach(model, dict(type='mmforget.ProjectResetRepair',
                                   alpha_r=100.0, alpha_f=300.0), context())
    got, want = plain_weights(model), plain_weights(expected)
    assert got.keys() == want.keys()
    for key in got:
        assert torch.equal(got[key], want[key]), key
    head_rows = method.head_reset.class_layers(model)[0].weight[list(FORGET)]
    assert torch.all(head_rows == 0)
    # Attention and FFN linears were all projected (16 on 4 blocks).
    assert len(method.projection.edited_layers) == 16
    # Fresh adapters: B = 0, so the outputs are the projected model's.
    assert all(torch.all(p == 0) for n, p in model.named_parameters()
               if n.endswith('lora_B'))
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all('.lora_' in n for n in trainable)


def test_the_repair_reads_kept_classes_only_and_merges():
    model = build_classifier(lora=LORA)
    method, _ = attach(model, dict(type='mmforget.ProjectResetRepair'),
                       context())
    retain = random_batch([False] * 4, [1, 2, 3, 4], seed=7)
    optimizer = torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.5)
    data = preprocess(model, retain)
    losses = method.loss(model, data['inputs'], data['data_samples'])
    sum(losses.values()).backward()
    optimizer.step()
    data = preprocess(model, retain)
    model.eval()
    with torch.no_grad():
        adapted = model.logits(model.extract_feat(data['inputs']))
        method.finish_task(model)
        merged = model.logits(model.extract_feat(data['inputs']))
    assert torch.allclose(adapted, merged, atol=1e-5)
    assert not any('lora_' in k for k in model.merged_state_dict())
    mixed = preprocess(model, random_batch([True, False], [8, 1], seed=3))
    with pytest.raises(RuntimeError, match='forget samples'):
        method.loss(model, mixed['inputs'], mixed['data_samples'])


def test_a_model_without_adapters_or_epochs_is_refused():
    with pytest.raises(ValueError, match='lora'):
        attach(build_classifier(),
               dict(type='mmforget.ProjectResetRepair'), context())
    with pytest.raises(ValueError, match='max_epochs'):
        attach(build_classifier(lora=LORA),
               dict(type='mmforget.ProjectResetRepair'),
               fake_context(forget=FORGET, batches=batches(), max_epochs=0))


def test_the_distillation_teacher_is_the_reset_model_and_is_dropped():
    """With distill_weight the repair loss is CE + w T^2 KL(teacher ||
    student), by hand; the teacher is the task's starting model with the
    rows reset and not projected, and it is gone after the task."""
    from mmforget.methods.teacher_distillation import distillation_kl
    model = build_classifier(lora=LORA)
    expected_teacher = copy.deepcopy(model)
    HeadReset(0.0).start_task(expected_teacher, context())
    method, _ = attach(model, dict(type='mmforget.ProjectResetRepair',
                                   distill_weight=0.5, temperature=3.0),
                       context())
    retain = preprocess(model, random_batch([False] * 4, [1, 2, 3, 4],
                                            seed=7))
    model.eval()
    expected_teacher.eval()
    with torch.no_grad():
        losses = method.loss(model, retain['inputs'],
                             retain['data_samples'])
        feats = model.extract_feat(retain['inputs'])
        teacher = expected_teacher.logits(
            expected_teacher.extract_feat(retain['inputs']))
        ce = model.head.loss(feats, retain['data_samples'])['loss']
        kl = distillation_kl(model.logits(feats), teacher, 3.0)
    assert kl > 0  # the projection moved the student off the teacher
    assert torch.allclose(losses['loss_retain'], ce)
    assert torch.allclose(losses['loss_distill'], 0.5 * kl)
    method.finish_task(model)
    assert method.teacher is None


def test_distillation_on_a_detector_is_refused():
    from method_helpers import FakeDetector
    method = ProjectResetRepair(distill_weight=1.0)
    with pytest.raises(ValueError, match='distill_weight=0'):
        method.check_model(FakeDetector())
