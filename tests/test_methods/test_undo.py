"""UNDO: a start noised towards a fresh initialisation, and the kept
classes' scores of the model it replaces as soft labels."""
import copy
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from method_helpers import (FakeDetector, attach, build_classifier,
                            fake_context, preprocess, random_batch)
from mmforget.datasets.task_schedule import ForgettingSchedule
from mmforget.methods import UNDO, build_method

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

FORGET = (8, 9)  # of 10 classes: the kept ones are 0..7


def test_the_loss_is_ce_plus_kl_over_the_kept_classes_by_hand():
    """CE + w T^2 KL(teacher || student), both softmaxes over the kept
    classes only; the teacher is the model before the noised start."""
    model = build_classifier()
    teacher = copy.deepcopy(model).eval()
    method, _ = attach(model, dict(type='mmforget.UNDO',
                                   distill_weight=0.5, temperature=3.0),
                       fake_context(forget=FORGET))
    assert not torch.equal(model.backbone.layers[0].ffn.layers[1].weight,
                           teacher.backbone.layers[0].ffn.layers[1].weight)
    data = preprocess(model, random_batch([False] * 4, [0, 3, 5, 7], seed=2))
    model.eval()
    with torch.no_grad():
        losses = method.loss(model, data['inputs'], data['data_samples'])
        feats = model.extract_feat(data['inputs'])
        student = model.logits(feats)[:, :8] / 3.0
        target = teacher.logits(teacher.extract_feat(data['inputs']))
        target = target[:, :8] / 3.0
        p_t = F.softmax(target, dim=1)
        kl = (p_t * (F.log_softmax(target, dim=1)
                     - F.log_softmax(student, dim=1))).sum(1).mean() * 9.0
        ce = model.head.loss(feats, data['data_samples'])['loss']
    assert kl > 0
    assert torch.allclose(losses['loss_retain'], ce)
    assert torch.allclose(losses['loss_distill'], 0.5 * kl)


def test_the_forgotten_classes_scores_of_the_teacher_do_not_matter():
    """Changing the teacher's forgotten rows changes nothing in the loss."""
    model = build_classifier()
    method, _ = attach(model, dict(type='mmforget.UNDO'),
                       fake_context(forget=FORGET))
    data = preprocess(model, random_batch([False] * 4, [0, 1, 2, 3], seed=4))
    model.eval()
    with torch.no_grad():
        before = method.loss(model, data['inputs'], data['data_samples'])
        method.teacher.head.layers.head.weight[list(FORGET)] += 5.0
        after = method.loss(model, data['inputs'], data['data_samples'])
    assert torch.equal(before['loss_distill'], after['loss_distill'])


def test_forget_samples_bad_settings_and_detectors_are_refused():
    model = build_classifier()
    method, _ = attach(model, dict(type='mmforget.UNDO'),
                       fake_context(forget=FORGET))
    data = preprocess(model, random_batch([True, False], [8, 0]))
    with pytest.raises(RuntimeError, match='forget samples'):
        method.loss(model, data['inputs'], data['data_samples'])
    with pytest.raises(ValueError, match='distill_weight must be >= 0'):
        UNDO(distill_weight=-1.0)
    with pytest.raises(TypeError):
        UNDO().check_model(FakeDetector())
    method.finish_task(model)
    assert method.teacher is None


def test_without_distillation_there_is_no_teacher_and_the_loss_is_ce():
    """distill_weight 0: no teacher is copied, the loss is the CE alone."""
    model = build_classifier()
    method, _ = attach(model, dict(type='mmforget.UNDO', distill_weight=0.0),
                       fake_context(forget=FORGET))
    assert method.teacher is None
    data = preprocess(model, random_batch([False] * 4, [0, 3, 5, 7], seed=2))
    model.eval()
    with torch.no_grad():
        losses = method.loss(model, data['inputs'], data['data_samples'])
        ce = model.head.loss(model.extract_feat(data['inputs']),
                             data['data_samples'])['loss']
    assert list(losses) == ['loss_retain']
    assert torch.allclose(losses['loss_retain'], ce)


def test_the_start_is_the_noised_mix_of_trained_and_fresh_weights():
    """Every float tensor starts at (1 - noise) * trained + noise * fresh,
    by hand; the teacher keeps the trained weights."""
    model = build_classifier()
    trained = {k: v.clone() for k, v in model.state_dict().items()}
    fresh = build_classifier(seed=5).state_dict()
    method = UNDO(noise=0.25)
    context = fake_context(forget=FORGET)
    method.before_tasks(model, context)
    method.fresh_state = lambda: fresh
    method.start_task(model, context)
    started = model.state_dict()
    for name, tensor in started.items():
        assert torch.allclose(tensor, 0.75 * trained[name]
                              + 0.25 * fresh[name], atol=1e-6), name
    assert not torch.equal(started['head.layers.head.weight'],
                           trained['head.layers.head.weight'])
    for name, tensor in method.teacher.state_dict().items():
        assert torch.equal(tensor, trained[name])


def test_a_prefix_gets_its_own_noise():
    """The first matching prefix sets the mix; zero noise keeps the
    trained tensor, the rest take ``noise``."""
    model = build_classifier()
    trained = {k: v.clone() for k, v in model.state_dict().items()}
    fresh = build_classifier(seed=5).state_dict()
    method = UNDO(noise=0.5, noise_by_prefix={'backbone.layers.0.': 0.0,
                                              'backbone.layers.': 1.0})
    method.fresh_state = lambda: fresh
    start = method.start_state(model)
    first = 'backbone.layers.0.ffn.layers.1.weight'
    last = 'backbone.layers.3.ffn.layers.1.weight'
    head = 'head.layers.head.weight'
    assert torch.equal(start[first], trained[first])
    assert torch.equal(start[last], fresh[last])
    assert torch.allclose(start[head], 0.5 * trained[head] + 0.5 * fresh[head])
    with pytest.raises(ValueError, match='in \\[0, 1\\]'):
        UNDO(noise_by_prefix={'head.': 1.5})


def test_reset_forgotten_rows_noises_the_head_edited_model():
    """With reset_forgotten_rows the forgotten rows start at
    noise * fresh (Head reset's zeros mixed in), the kept rows and every
    other tensor as without it; the teacher keeps the trained rows."""
    model = build_classifier()
    trained = {k: v.clone() for k, v in model.state_dict().items()}
    fresh = build_classifier(seed=5).state_dict()
    method = UNDO(noise=0.25, reset_forgotten_rows=True)
    context = fake_context(forget=FORGET)
    method.before_tasks(model, context)
    method.fresh_state = lambda: fresh
    method.start_task(model, context)
    started = model.state_dict()
    rows, kept = list(FORGET), list(range(8))
    assert trained['head.layers.head.weight'][rows].abs().max() > 0.1
    for name in ('head.layers.head.weight', 'head.layers.head.bias'):
        assert torch.allclose(started[name][rows], 0.25 * fresh[name][rows],
                              atol=1e-6), name
        assert torch.allclose(started[name][kept],
                              0.75 * trained[name][kept]
                              + 0.25 * fresh[name][kept], atol=1e-6), name
    other = 'backbone.layers.0.ffn.layers.1.weight'
    assert torch.allclose(started[other], 0.75 * trained[other]
                          + 0.25 * fresh[other], atol=1e-6)
    assert torch.equal(method.teacher.head.layers.head.weight,
                       trained['head.layers.head.weight'])


def start_task_1(method):
    """Start task 1 of 10 classes (6, 7 forgotten after 8, 9) with
    ``method``; returns the trained, the fresh and the started weights."""
    model = build_classifier()
    trained = {k: v.clone() for k, v in model.state_dict().items()}
    fresh = build_classifier(seed=5).state_dict()
    schedule = ForgettingSchedule(class_names=[str(c) for c in range(10)],
                                  tasks=[['8', '9'], ['6', '7']])
    context = fake_context(schedule=schedule, task_index=1)
    method.before_tasks(model, context)
    method.fresh_state = lambda: fresh
    method.start_task(model, context)
    return trained, fresh, model.state_dict()


def test_noise_by_forgotten_share_scales_every_noise_by_the_share():
    """Task 1 of 10 classes forgets 6, 7 after 8, 9: 4 of 10 gone, so
    noise 0.5 starts at 0.2 and a prefix's 1.0 at 0.4, by hand."""
    method = UNDO(noise=0.5, noise_by_prefix={'backbone.layers.0.': 1.0},
                  noise_by_forgotten_share=True, distill_weight=0.0)
    trained, fresh, started = start_task_1(method)
    first = 'backbone.layers.0.ffn.layers.1.weight'
    last = 'backbone.layers.3.ffn.layers.1.weight'
    assert torch.allclose(started[first], 0.6 * trained[first]
                          + 0.4 * fresh[first], atol=1e-6)
    assert torch.allclose(started[last], 0.8 * trained[last]
                          + 0.2 * fresh[last], atol=1e-6)


def test_the_one_noise_config_starts_every_task_at_the_same_noise():
    """``undo-one-noise``: the share rule off, so task 1 (4 of 10 classes
    gone) starts 0.75 of the way to the fresh weights, as task 0 would,
    from the head-edited model (no teacher)."""
    import os.path as osp

    from mmengine.config import Config

    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(osp.join(
        root, 'configs', 'undo', 'undo-one-noise_vit-6b_numbers_continual.py'))
    options = {k: v for k, v in cfg.train_cfg.method.items() if k != 'type'}
    method = UNDO(**options)
    assert method.name == 'UNDO, one noise' and not method.distill_weight
    trained, fresh, started = start_task_1(method)
    name = 'backbone.layers.2.ffn.layers.1.weight'
    assert torch.allclose(started[name], 0.25 * trained[name]
                          + 0.75 * fresh[name], atol=1e-6)
    head = 'head.layers.head.weight'  # rows 6, 7 reset to 0 first
    assert torch.allclose(started[head][6:8], 0.75 * fresh[head][6:8],
                          atol=1e-6)
    assert torch.allclose(started[head][:6], 0.25 * trained[head][:6]
                          + 0.75 * fresh[head][:6], atol=1e-6)


def test_most_noise_caps_the_share_rule_and_bad_values_are_refused():
    """Scale 1.25 by share, capped at 0.75: 0.25 / 0.5 / 0.75 / 0.75 over
    four tasks of 2 of 10 classes; a fixed noise above 1 and a cap outside
    [0, 1] are refused before training."""
    method = UNDO(noise=1.25, most_noise=0.75,
                  noise_by_forgotten_share=True, distill_weight=0.0)
    starts = []
    for share in (0.2, 0.4, 0.6, 0.8):  # 2, 4, 6, 8 of 10 classes gone
        method.noise_scale = share
        starts.append(method.noise_of('backbone.layers.0.ffn.layers.1.weight'))
    assert starts == pytest.approx([0.25, 0.5, 0.75, 0.75])
    with pytest.raises(ValueError, match='noise_by_forgotten_share'):
        UNDO(noise=1.25)
    with pytest.raises(ValueError, match='most_noise'):
        UNDO(noise=0.5, most_noise=1.5)


def shapes_detector_and_config():
    """The tiny shapes Deformable DETR of the UNDO detector config, random
    weights moved away from any init ("trained"), and its model config."""
    cfg = Config.fromfile(osp.join(
        REPO_ROOT,
        'configs/undo/undo-one-noise_deformable-detr-tiny_shapes_continual.py'))
    model_cfg = cfg.model.to_dict()
    model_cfg['pretrained'] = None  # no trained checkpoint in a fresh clone
    torch.manual_seed(5)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    with torch.no_grad():
        for param in model.parameters():
            param.add_(0.5)
    return model, model_cfg, cfg.train_cfg.method


def test_on_a_detector_the_start_is_the_noised_head_edited_model():
    """Without a teacher: every float tensor at 0.25 * trained + 0.75 *
    fresh, the forgotten class's rows at 0.25 * Head reset's (0, -30) + 0.75
    * fresh, by hand."""
    model, model_cfg, method_cfg = shapes_detector_and_config()
    trained = {k: v.clone() for k, v in model.state_dict().items()}
    method = build_method(dict(method_cfg), model)
    context = fake_context(model_cfg=model_cfg, num_classes=5, forget=(4, ))
    with DefaultScope.overwrite_default_scope('mmdet'):
        method.before_tasks(model, context)
        fresh = method.fresh_state()
    method.fresh_state = lambda: fresh
    method.start_task(model, context)
    assert method.teacher is None
    started = model.state_dict()
    for name, tensor in started.items():
        if not tensor.is_floating_point():
            continue
        expected = 0.25 * trained[name] + 0.75 * fresh[name]
        # The decoder layers share one class branch (no box refine).
        if name.startswith('bbox_head.cls_branches.'):
            edited = trained[name].clone()
            edited[4] = 0.0 if name.endswith('weight') else -30.0
            expected = 0.25 * edited + 0.75 * fresh[name]
            assert not torch.allclose(tensor[4], 0.25 * trained[name][4]
                                      + 0.75 * fresh[name][4])
        assert torch.allclose(tensor, expected, atol=1e-6), name


def test_a_detector_with_a_teacher_is_refused_before_training():
    model, _, _ = shapes_detector_and_config()
    with pytest.raises(TypeError, match='distill_weight=0'):
        UNDO(distill_weight=1.0).check_model(model)
    UNDO(distill_weight=0.0, reset_forgotten_rows=dict(bias=-30.0)) \
        .check_model(model)


def test_on_a_detector_the_loss_is_the_detectors_own_on_kept_images():
    """The set loss of every decoder layer, as Retrain's; no forget image
    is accepted."""
    from mmdet.testing import demo_mm_inputs
    model, model_cfg, method_cfg = shapes_detector_and_config()
    method = build_method(dict(method_cfg), model)
    torch.manual_seed(0)
    batch = demo_mm_inputs(2, [[3, 64, 64]] * 2, num_classes=4,
                           num_items=[2, 2])
    for sample in batch['data_samples']:
        sample.set_metainfo(dict(forget=False))
    data = model.data_preprocessor(batch, True)
    losses = method.loss(model, data['inputs'], data['data_samples'])
    assert {'retain.loss_cls', 'retain.loss_bbox', 'retain.loss_iou',
            'retain.d0.loss_cls'} <= set(losses)
    assert all(torch.isfinite(v).all() for v in losses.values())
    batch['data_samples'][0].set_metainfo(dict(forget=True))
    data = model.data_preprocessor(batch, True)
    with pytest.raises(RuntimeError, match='forget samples'):
        method.loss(model, data['inputs'], data['data_samples'])
