"""Forgetting methods: their losses by hand, what trains, the teacher."""
import dataclasses

import pytest
import torch
import torch.nn.functional as F

import mmforget  # noqa: F401
from method_helpers import (attach, build_classifier, fake_context,
                            preprocess, random_batch)
from mmforget.methods import (distillation_kl, random_other_labels,
                              split_batch)

FORGET = [False, False, False, True, True, True]
LABELS = [0, 3, 5, 8, 9, 8]
# The papers' baselines, which train every weight but the head (what a
# method trains is its own test; a new method needs no line here).
HEAD_FROZEN_BASELINES = ['L2', 'EWC', 'MAS', 'LwF', 'DER', 'DERPlusPlus',
                         'FDR', 'SCRUB', 'SCRUBS']


def batch(seed=0, forget=FORGET, labels=LABELS):
    return random_batch(forget, labels, seed=seed)


def perturb(model, names=None, std=0.05, seed=1):
    """Move the student away from the teacher (backbone weights only)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.startswith('backbone.') and (names is None
                                                 or name in names):
                param.add_(std * torch.randn(param.shape,
                                             generator=generator))


# ---------------------------------------------------------------- GS-LoRA
def test_gs_lora_losses_are_those_of_the_previous_implementation():
    """Pinned from the implementation in which the classifier owned the
    GS-LoRA loss (the same batch, weights and seeds): the method computes
    the same losses and gradients."""
    from mmengine.dataset import pseudo_collate

    from mmforget.datasets import DigitsDataset
    dataset = DigitsDataset(split='train', pipeline=[dict(type='PackInputs')])
    items = [dataset[i] for i in range(12)]
    for i, item in enumerate(items):
        item['data_samples'].set_metainfo(dict(forget=i % 3 == 0))
    expected = dict(
        gs=dict(loss_retain=9.101721, loss_forget=0.278951,
                forget_ce=10.605246, grad=121.14514),
        plus=dict(loss_retain=9.101721, loss_forget=0.278951,
                  forget_ce=10.605246, loss_prototype=0.179949,
                  grad=121.14494))
    for key, method in (('gs', 'GSLoRA'), ('plus', 'GSLoRAPlus')):
        # As built when the values were taken: seed 0, rank-4 LoRA.
        model = build_classifier(lora=dict(rank=4, alpha=1.0),
                                 lora_b_std=0.05)
        method_cfg = dict(type=f'mmforget.{method}', forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=12.0, loss_weight=0.2))
        if key == 'plus':
            method_cfg['prototype_loss'] = dict(
                type='mmforget.PrototypeLoss', bound=18.0,
                forget_weight=0.01)
        from mmforget.registry import METHODS
        method = METHODS.build(method_cfg)
        model.attach_method(method)
        if key == 'plus':
            method.prototypes = model.class_prototypes(
                [pseudo_collate(items)])
        data = model.data_preprocessor(pseudo_collate(items), True)
        losses = method.loss(model, data['inputs'], data['data_samples'])
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        grad = sum(float(p.grad.abs().sum()) for p in model.parameters()
                   if p.grad is not None)
        got = {k: float(v.detach()) for k, v in losses.items()}
        got['grad'] = grad
        assert got == pytest.approx(expected[key], rel=1e-4)


# --------------------------------------------------------- what trains
@pytest.mark.parametrize('method',
                         ['GSLoRA', 'Retrain'] + HEAD_FROZEN_BASELINES)
def test_exactly_the_documented_parameters_train(method):
    lora = dict(rank=4) if method == 'GSLoRA' else None
    model = build_classifier(lora=lora)
    data = batch()
    if method == 'Retrain':
        data = batch(forget=[False] * 4, labels=[0, 1, 2, 3])
    loop = fake_context(batches=[data])
    method_obj, _ = attach(model, dict(type=f'mmforget.{method}'), loop)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    names = {n for n, _ in model.named_parameters()}
    if method == 'GSLoRA':
        assert trainable == {n for n in names if '.lora_' in n}
    elif method == 'Retrain':
        assert trainable == names
    else:  # every weight but the head
        assert trainable == {n for n in names if not n.startswith('head.')}
    from mmengine.optim import OptimWrapper
    optim_wrapper = OptimWrapper(torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.1))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    if method.startswith('SCRUB'):
        method_obj.before_epoch(0)  # a max epoch: both steps
    method_obj.train_step(model, data, optim_wrapper)
    changed = {n for n, p in model.named_parameters()
               if not torch.equal(p, before[n])}
    assert changed and changed <= trainable
    if method != 'Retrain':
        assert not any(n.startswith('head.') for n in changed)


# ------------------------------------------------------- random labels
def test_random_labels_are_retain_classes_or_the_official_ones():
    torch.manual_seed(0)
    labels = torch.tensor([8, 9] * 200)
    drawn = random_other_labels(labels, [0, 1, 2, 3])
    assert set(drawn.tolist()) == {0, 1, 2, 3}
    # Official: (y + r) mod K_f, r in 1..100: ids 0..K_f-1, never y.
    labels = torch.tensor([0, 1] * 200)
    official = random_other_labels(labels, [5, 6], official=True,
                                   num_forget_classes=2)
    assert set(official.tolist()) <= {0, 1}
    assert not (official == labels).any()


def test_random_label_loss_is_ce_of_drawn_labels_plus_retain_ce():
    model = build_classifier()
    method, _ = attach(model, dict(type='mmforget.RandomLabel'))
    data = preprocess(model, batch())
    torch.manual_seed(3)
    losses = method.loss(model, data['inputs'], data['data_samples'])
    torch.manual_seed(3)
    drawn = random_other_labels(torch.tensor([8, 9, 8]), list(range(8)))
    logits = model.logits(model.extract_feat(data['inputs']))
    torch.testing.assert_close(losses['loss_forget'],
                               F.cross_entropy(logits[3:], drawn))
    torch.testing.assert_close(losses['loss_retain'], F.cross_entropy(
        logits[:3], torch.tensor([0, 3, 5])))


# ------------------------------------------------------------ penalties
def test_ewc_penalty_is_omega_weighted_squared_distance():
    model = build_classifier()
    data = batch()
    method, _ = attach(model, dict(type='mmforget.EWC', penalty_weight=2.0),
                       fake_context(batches=[data, batch(seed=1)]))
    anchor, omega = method.anchors[0]
    assert set(anchor) == {n for n, p in model.named_parameters()
                           if p.requires_grad}
    perturb(model)
    params = dict(model.named_parameters())
    by_hand = sum((omega[n] * (params[n] - anchor[n])**2).sum()
                  for n in anchor)
    assert by_hand > 0
    torch.testing.assert_close(method.penalty_loss(model), by_hand)
    inputs = preprocess(model, data)
    losses = method.loss(model, inputs['inputs'], inputs['data_samples'])
    torch.testing.assert_close(losses['loss_penalty'], 2.0 * by_hand)


@pytest.mark.parametrize('penalty', ['ewc', 'mas'])
def test_importance_by_hand(penalty):
    """EWC: (B / N) sum_batches g^2, g of the batch-mean CE on retain data;
    MAS: (1 / N) sum_batches |d mean(f^2) / d theta|; eval mode."""
    model = build_classifier()
    batches = [batch(seed=s) for s in (0, 1)]
    method, loop = attach(model, dict(type='mmforget.RandomLabel',
                                      penalty=penalty, penalty_weight=1.0),
                          fake_context(batches=batches))
    _, omega = method.anchors[0]
    name = 'backbone.layers.0.ffn.layers.1.weight'
    param = dict(model.named_parameters())[name]
    expected = torch.zeros_like(param)
    model.eval()
    for retain in loop.task_data_loader('retain'):
        data = model.data_preprocessor(retain, False)
        logits = model.logits(model.extract_feat(data['inputs']))
        if penalty == 'ewc':
            labels = torch.cat([s.gt_label for s in data['data_samples']])
            value = F.cross_entropy(logits, labels)
            grad, = torch.autograd.grad(value, [param])
            expected += grad**2 * len(labels)
        else:
            grad, = torch.autograd.grad(logits.pow(2).mean(), [param])
            expected += grad.abs()
    expected /= 2
    assert expected.abs().sum() > 0
    torch.testing.assert_close(omega[name], expected)


def test_l2_omega_is_one():
    model = build_classifier()
    method, _ = attach(model, dict(type='mmforget.L2'),
                       fake_context(batches=[batch()]))
    _, omega = method.anchors[0]
    assert all(torch.equal(o, torch.ones_like(o)) for o in omega.values())


# ----------------------------------------------------- teacher methods
def teacher_losses(method_cfg):
    model = build_classifier()
    method, _ = attach(model, method_cfg)
    perturb(model)
    data = preprocess(model, batch())
    losses = method.loss(model, data['inputs'], data['data_samples'])
    retain = data['inputs'][:3]
    student = model.extract_feat(retain)
    teacher = method.teacher.extract_feat(retain)
    return model, method, losses, student, teacher


def test_fdr_is_the_mean_l2_norm_of_the_logit_difference():
    model, method, losses, student, teacher = teacher_losses(
        dict(type='mmforget.FDR', logit_weight=3.0))
    difference = model.logits(student) - method.teacher.logits(teacher)
    by_hand = 3.0 * difference.pow(2).sum(1).sqrt().mean()
    assert by_hand > 0
    torch.testing.assert_close(losses['loss_logit'], by_hand)
    assert set(losses) == {'loss_forget', 'loss_logit'}


def test_der_is_the_summed_squared_embedding_distance():
    model, method, losses, student, teacher = teacher_losses(
        dict(type='mmforget.DER', embedding_weight=0.5))
    distance = (model.head.pre_logits(student) -
                method.teacher.head.pre_logits(teacher))
    by_hand = 0.5 * (distance**2).sum()
    assert by_hand > 0
    torch.testing.assert_close(losses['loss_embedding'], by_hand)


def test_lwf_distillation_and_the_official_zero():
    model, method, losses, student, teacher = teacher_losses(
        dict(type='mmforget.LwF', retain_weight=2.0, kd_weight=0.5))
    s = model.logits(student) / 2
    t = method.teacher.logits(teacher) / 2
    kl = (F.softmax(t, 1) * (F.log_softmax(t, 1) - F.log_softmax(s, 1))
          ).sum(1).mean() * 4
    assert kl > 0
    torch.testing.assert_close(losses['loss_kd'], 0.5 * kl)
    torch.testing.assert_close(losses['loss_kd'] / 0.5, distillation_kl(
        model.logits(student), method.teacher.logits(teacher), 2.0))
    *_, official, _, _ = teacher_losses(
        dict(type='mmforget.LwF', official_lwf=True))
    assert 'loss_kd' not in official and 'loss_retain' in official


def test_teacher_is_frozen_never_trained_and_never_saved():
    model = build_classifier()
    data = batch()
    method, _ = attach(model, dict(type='mmforget.LwF'),
                       fake_context(batches=[data]))
    teacher_state = {k: v.clone()
                     for k, v in method.teacher.state_dict().items()}
    assert not any(p.requires_grad for p in method.teacher.parameters())
    assert not method.teacher.training
    from mmengine.optim import OptimWrapper
    params = [p for p in model.parameters() if p.requires_grad]
    optim_wrapper = OptimWrapper(torch.optim.SGD(params, lr=0.5))
    for _ in range(3):
        method.train_step(model, data, optim_wrapper)
    assert all(torch.equal(v, method.teacher.state_dict()[k])
               for k, v in teacher_state.items())
    assert not any(torch.equal(p, method.teacher.state_dict()[n])
                   for n, p in model.named_parameters()
                   if n == 'backbone.layers.0.ffn.layers.1.weight')
    # Neither a parameter of the model nor in its state dict.
    plain = build_classifier()
    assert model.state_dict().keys() == plain.state_dict().keys()
    assert len(list(model.parameters())) == len(list(plain.parameters()))


# ----------------------------------------------------------------- SCRUB
def test_scrub_max_step_increases_the_forget_kl():
    model = build_classifier()
    forget_only = batch(forget=[True] * 4, labels=[8, 9, 8, 9])
    method, _ = attach(model, dict(type='mmforget.SCRUB'))
    perturb(model, std=0.01)

    def forget_kl():
        with torch.no_grad():
            data = preprocess(model, forget_only)
            return float(distillation_kl(
                model.logits(model.extract_feat(data['inputs'])),
                method.teacher.logits(
                    method.teacher.extract_feat(data['inputs'])), 2.0))

    from mmengine.optim import OptimWrapper
    optim_wrapper = OptimWrapper(torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.05))
    before = forget_kl()
    method.before_epoch(0)
    log = method.train_step(model, forget_only, optim_wrapper)
    assert float(log['loss_forget_kl']) == pytest.approx(-before, rel=1e-4)
    assert forget_kl() > before
    # A min-only epoch (5..9 of a cycle) leaves forget samples alone.
    method.before_epoch(5)
    state = {n: p.clone() for n, p in model.named_parameters()}
    method.train_step(model, forget_only, optim_wrapper)
    assert all(torch.equal(p, state[n]) for n, p in model.named_parameters())


def test_scrub_s_smoothing_is_the_distance_to_the_weight_average():
    model = build_classifier()
    method, _ = attach(model, dict(type='mmforget.SCRUBS', smoothing=0.1))
    assert method.name == 'SCRUB-S'
    perturb(model)
    params = dict(model.named_parameters())
    by_hand = 0.1 * sum((params[n] - a).norm()
                        for n, a in method.swa.items())
    assert by_hand > 0
    torch.testing.assert_close(method.smoothing_distance(model), by_hand)
    # The average moves 10 % towards the weights once per cycle.
    name = 'backbone.layers.0.ffn.layers.1.weight'
    old = method.swa[name].clone()
    method.before_epoch(10)
    torch.testing.assert_close(method.swa[name],
                               0.9 * old + 0.1 * params[name].detach())


# ---------------------------------------------------------------- Retrain
def test_retrain_starts_from_fresh_weights():
    model = build_classifier(seed=5)  # "pre-trained"
    pretrained = {n: p.clone() for n, p in model.named_parameters()}
    torch.manual_seed(11)
    attach(model, dict(type='mmforget.Retrain'))
    params = dict(model.named_parameters())
    for name in pretrained:  # every matrix and the head are new
        if name.endswith('weight') and params[name].dim() == 2:
            assert not torch.equal(params[name], pretrained[name]), name
    from mmengine.registry import MODELS, DefaultScope

    from method_helpers import digits_model_cfg
    torch.manual_seed(11)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        reference = MODELS.build(digits_model_cfg())
    reference.init_weights()
    for name, param in reference.state_dict().items():
        torch.testing.assert_close(model.state_dict()[name], param)


def test_retrain_never_reads_a_forget_sample():
    """With Retrain the loop's dataset yields retain samples only."""
    from mmforget.datasets import DigitsDataset, ForgetRetainDataset
    dataset = ForgetRetainDataset(
        DigitsDataset(split='train', pipeline=[dict(type='PackInputs')]),
        schedule=dict(tasks=[['8', '9'], ['0']]))
    forget_classes = {8, 9}
    full = len(dataset)
    dataset.use_forget_data = False
    assert len(dataset) == len(dataset.retain_indices) <= full
    from mmforget.datasets import forget_retain_collate
    for task in (0, 1):
        dataset.set_task(task)
        items = [dataset[i] for i in range(len(dataset))]
        assert all(item['forget'] is None for item in items)
        data = forget_retain_collate(items)
        labels = {int(s.gt_label) for s in data['data_samples']}
        assert not labels & forget_classes
        assert not any(s.metainfo['forget'] for s in data['data_samples'])
    model = build_classifier()
    method, _ = attach(model, dict(type='mmforget.Retrain'))
    data = preprocess(model, batch())
    with pytest.raises(RuntimeError, match='forget samples'):
        method.loss(model, data['inputs'], data['data_samples'])


def test_split_batch():
    forget, retain = split_batch(batch()['data_samples'])
    assert forget.tolist() == [3, 4, 5] and retain.tolist() == [0, 1, 2]


# ------------------------------------------------- FT, l1-sparse and GA
def mean_ce(model, data, indices):
    """The head's cross-entropy by hand: mean over ``indices``."""
    logits = model.head(model.extract_feat(data['inputs']))[indices]
    labels = torch.tensor([int(data['data_samples'][i].gt_label)
                           for i in indices])
    return F.cross_entropy(logits, labels)


def test_fine_tune_is_the_retain_cross_entropy_and_trains_every_weight():
    model = build_classifier()
    loop = fake_context(max_epochs=4)
    method, _ = attach(model, dict(type='mmforget.FineTune'), loop)
    assert method.uses_forget_data is False
    assert all(p.requires_grad for p in model.parameters())
    data = preprocess(model, batch(forget=[False] * 4, labels=[0, 3, 5, 7]))
    losses = method.loss(model, data['inputs'], data['data_samples'])
    assert float(losses['loss_retain'].detach()) == pytest.approx(
        float(mean_ce(model, data, [0, 1, 2, 3]).detach()), rel=1e-5)
    with pytest.raises(RuntimeError, match='forget samples'):
        method.loss(model, *preprocess(model, batch()).values())


def test_l1_sparse_weight_decays_linearly_to_zero():
    model = build_classifier()
    loop = fake_context(max_epochs=10)
    method, _ = attach(model, dict(type='mmforget.L1Sparse', alpha=0.01,
                                   no_l1_epochs=2), loop)
    # alpha * (1 - epoch / (10 - 2)): 0.01, 0.0075 at epoch 2, 0 from 8 on.
    assert [method.alpha_at(e) for e in (0, 2, 4, 8, 9)] == pytest.approx(
        [0.01, 0.0075, 0.005, 0.0, 0.0])
    data = preprocess(model, batch(forget=[False] * 4, labels=[0, 3, 5, 7]))
    method.before_epoch(2)
    losses = method.loss(model, data['inputs'], data['data_samples'])
    l1 = sum(float(p.detach().abs().sum()) for p in model.parameters())
    assert float(losses['loss_l1'].detach()) == pytest.approx(0.0075 * l1, rel=1e-5)
    method.before_epoch(8)
    assert 'loss_l1' not in method.loss(model, data['inputs'],
                                        data['data_samples'])


def test_gradient_ascent_plain_and_bounded():
    model = build_classifier()
    data = preprocess(model, batch())
    forget_ce = float(mean_ce(model, data, [3, 4, 5]).detach())
    plain, _ = attach(model, dict(type='mmforget.GradientAscent'))
    losses = plain.loss(model, data['inputs'], data['data_samples'])
    assert float(losses['loss_forget'].detach()) == pytest.approx(-forget_ce,
                                                         rel=1e-5)
    assert plain.name == 'GA'
    above = dict(type='mmforget.GradientAscent', bound=forget_ce + 1.0)
    bounded, _ = attach(model, above)
    losses = bounded.loss(model, data['inputs'], data['data_samples'])
    assert float(losses['loss_forget'].detach()) == pytest.approx(1.0, rel=1e-4)
    # Past the bound the loss is 0 and pushes no weight any further.
    below = dict(type='mmforget.GradientAscent', bound=forget_ce - 1.0)
    clamped, _ = attach(model, below)
    model.zero_grad()
    clamped.loss(model, data['inputs'], data['data_samples'])[
        'loss_forget'].backward()
    assert all(p.grad is None or not p.grad.any()
               for p in model.parameters())


def test_every_numbers_config_builds_its_method():
    """Every method with a numbers config has a full-data one and a digits
    one, and every numbers config's ``train_cfg.method`` builds; every
    method of the numbers comparison's 4-shot setting has its 4-shot
    config."""
    import glob
    import os.path as osp

    from mmengine.config import Config

    from mmforget.benchmarks.plans import load_plan
    from mmforget.registry import METHODS
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    configs = glob.glob(osp.join(root, 'configs', '*',
                                 '*_vit-6b_numbers_continual*.py'))
    files = {}
    for path in configs:
        cfg = Config.fromfile(path)
        assert METHODS.build(cfg.train_cfg.method).name
        if path.endswith('-4shot.py'):
            assert cfg.train_dataloader.dataset.few_shot == 4, path
        files.setdefault(osp.dirname(path), set()).add(osp.basename(path))
    for folder, names in files.items():
        for prefix in {n.split('_vit-6b')[0] for n in names}:
            for name in (f'{prefix}_vit-6b_numbers_continual.py',
                         f'{prefix}_vit-tiny_digits_continual.py'):
                assert osp.isfile(osp.join(folder, name)), name
    assert {osp.basename(f) for f in files} >= {
        'ft', 'ga', 'l1_sparse', 'l2', 'scrub', 'gs_lora'}
    plan = load_plan(osp.join(root, 'configs', 'comparisons',
                              'vit-6b_numbers_continual.py'))
    four_shot = [m for m in plan.methods
                 if '4-shot' in m.get('settings', ['4-shot'])]
    assert len(four_shot) > 20
    for method in four_shot:
        assert osp.isfile(osp.join(root, method['config'].format(
            setting='-4shot'))), method['name']


# ---------------------------------------------------------------- SalUn
def test_saliency_mask_keeps_the_top_fraction_by_gradient_magnitude():
    from mmforget.methods import saliency_mask
    grads = dict(a=torch.tensor([[0.1, -5.0], [2.0, 0.0]]),
                 b=torch.tensor([-3.0, 0.5, 1.0, -0.2]))
    masks = saliency_mask(grads, 0.25)  # 2 of 8 entries: -5 and -3
    assert masks['a'].tolist() == [[False, True], [False, False]]
    assert masks['b'].tolist() == [True, False, False, False]
    masks = saliency_mask(grads, 0.5)  # + 2.0 and 1.0
    assert int(sum(m.sum() for m in masks.values())) == 4
    assert masks['a'][1, 0] and masks['b'][2]


def test_salun_mask_comes_from_the_forget_gradient_and_masked_weights_stay():
    from mmengine.optim import OptimWrapper

    from mmforget.methods import saliency_mask
    model = build_classifier()
    data = batch()
    loop = fake_context(batches=[data])
    # The saliency by hand: d(-CE) / d theta on the forget samples.
    forget = preprocess(model, pseudo_forget_batch(data))
    model.eval()
    loss = -F.cross_entropy(model.head(model.extract_feat(forget['inputs'])),
                            torch.tensor([8, 9, 8]))
    params = dict(model.named_parameters())
    grads = dict(zip(params, torch.autograd.grad(loss,
                                                 list(params.values()))))
    model.train()
    method, _ = attach(model, dict(type='mmforget.SalUn', saliency=0.3),
                       loop)
    expected = saliency_mask(grads, 0.3)
    assert all(torch.equal(method.masks[n], expected[n]) for n in expected)
    # AdamW with weight decay: only masked weights move.
    optim_wrapper = OptimWrapper(torch.optim.AdamW(
        model.parameters(), lr=0.01, weight_decay=0.5))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    for _ in range(2):
        method.train_step(model, data, optim_wrapper)
    moved = 0
    for name, param in model.named_parameters():
        frozen = ~method.masks[name]
        assert torch.equal(param[frozen], before[name][frozen]), name
        moved += int((param != before[name]).sum())
    assert moved > 0


def pseudo_forget_batch(data):
    """The forget samples of a collated batch, collated again."""
    from mmengine.dataset import pseudo_collate
    keep = [i for i, s in enumerate(data['data_samples'])
            if s.metainfo['forget']]
    return pseudo_collate([dict(inputs=data['inputs'][i],
                                data_samples=data['data_samples'][i])
                           for i in keep])


# ------------------------------------------------------------------ SSD
def test_ssd_dampens_exactly_the_weights_more_important_to_the_forget_data():
    from mmforget.methods import dampen
    params = dict(w=torch.tensor([1.0, 2.0, -3.0, 4.0]))
    forget = dict(w=torch.tensor([10.0, 1.0, 30.0, 4.0]))
    whole = dict(w=torch.tensor([1.0, 1.0, 2.0, 1.0]))
    # alpha 3: entries 0 (10 > 3), 2 (30 > 6) and 3 (4 > 3) are selected;
    # each is multiplied by min(lambda * I_D / I_f, 1) with lambda 2.
    assert dampen(params, forget, whole, alpha=3.0, dampening=2.0) == 3
    assert params['w'].tolist() == pytest.approx(
        [1.0 * 0.2, 2.0, -3.0 * 4 / 30, 4.0 * 0.5])


def test_ssd_reuses_the_whole_data_importance_and_refuses_to_train():
    model = build_classifier()
    data = batch()
    loop = fake_context(batches=[data], max_epochs=1)
    # refused before anything is computed
    with pytest.raises(ValueError, match='max_epochs=0'):
        attach(model, dict(type='mmforget.SSD'), loop)
    loop = dataclasses.replace(loop, max_epochs=0)
    method, _ = attach(model, dict(type='mmforget.SSD', alpha=1.0), loop)
    first = method.global_importance
    assert method.shrunk > 0 and set(first) == {
        n for n, _ in model.named_parameters()}
    method.start_task(model, loop)  # the next task: same I_D object
    assert method.global_importance is first
    with pytest.raises(RuntimeError, match='max_epochs=0'):
        method.loss(model, *preprocess(model, data).values())


# ------------------------------------------------------- Boundary Shrink
def test_boundary_shrink_targets_the_nearest_wrong_class_of_fgsm():
    model = build_classifier()
    data = batch()
    method, _ = attach(model, dict(type='mmforget.BoundaryShrink',
                                   eps=0.5))
    assert method.reference is not model
    assert not any(p.requires_grad for p in method.reference.parameters())
    processed = preprocess(model, data)
    x = processed['inputs'][3:].clone().requires_grad_(True)
    y = torch.tensor([8, 9, 8])
    # By hand: one FGSM step on the frozen copy, then its best class but y.
    loss = F.cross_entropy(model.head(model.extract_feat(x)), y)
    grad, = torch.autograd.grad(loss, x)
    with torch.no_grad():
        scores = model.head(model.extract_feat(x + 0.5 * grad.sign()))
    scores[torch.arange(3), y] = float('-inf')
    targets = scores.argmax(1)
    assert not (targets == y).any()
    losses = method.loss(model, processed['inputs'],
                         processed['data_samples'])
    expected = F.cross_entropy(model.head(model.extract_feat(x.detach())),
                               targets)
    assert float(losses['loss_forget'].detach()) == pytest.approx(
        float(expected.detach()), rel=1e-5)
