"""Subspace removal: the energy projectors and the projected layers against
values worked out by hand, then the edit on the tiny ViT."""
import os.path as osp

import pytest
import torch
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader

import mmforget  # noqa: F401
from method_helpers import (attach, build_classifier, fake_context,
                            preprocess, random_batch)
from mmforget.methods.subspace_removal import (SubspaceRemoval,
                                               energy_projector,
                                               project_weight,
                                               removal_projection,
                                               sampled_batches)
from mmforget.registry import METHODS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
E = torch.eye(4, dtype=torch.float64)  # e1..e4 as rows


def rotation(size, seed=0):
    generator = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(size, size, generator=generator,
                                       dtype=torch.float64))
    return q


def scaled(alpha, share):
    """alpha s / ((alpha - 1) s + 1), the scale of a direction."""
    return alpha * share / ((alpha - 1) * share + 1)


def test_alpha_one_is_the_energy_weighted_projector_in_any_basis():
    # Rows 3 e1 and 4 e2: sigma^2 = 9 and 16, s = 0.36 and 0.64.
    rows = torch.stack([3 * E[0], 4 * E[1]])
    assert torch.allclose(energy_projector(rows, 1.0),
                          torch.diag(torch.tensor(
                              [0.36, 0.64, 0., 0.], dtype=torch.float64)))
    # The same rows in a rotated basis: M = U diag(s) U^T, U the rotated
    # axes (and rows.T @ rows / its trace, the alpha = 1 identity).
    q = rotation(4)
    rotated = rows @ q.T
    expected = q @ torch.diag(torch.tensor(
        [0.36, 0.64, 0., 0.], dtype=torch.float64)) @ q.T
    assert torch.allclose(energy_projector(rotated, 1.0), expected)
    gram = rotated.T @ rotated
    assert torch.allclose(expected, gram / gram.trace())
    # alpha 100: 36 / 36.64 and 64 / 64.36; unused directions stay 0.
    eigen = torch.linalg.eigvalsh(energy_projector(rotated, 100.0))
    assert torch.allclose(eigen, torch.tensor(
        [0., 0., 36 / 36.64, 64 / 64.36], dtype=torch.float64), atol=1e-12)
    with pytest.raises(ValueError, match='positive'):
        energy_projector(rows, 0.0)


def layer_with(weight, bias):
    layer = torch.nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)
    return layer


def test_orthogonal_spans_keep_retain_outputs_and_remove_forget_ones():
    # Retain rows in span(e1, e2); forget rows 3 e3 and 1 e4: s = 0.9, 0.1.
    retain = torch.randn(50, 2, dtype=torch.float64) @ E[:2]
    forget = torch.stack([3 * E[2], E[3]])
    generator = torch.Generator().manual_seed(1)
    weight, bias = torch.randn(3, 5, generator=generator).split([4, 1], 1)
    bias = bias.flatten()
    original = layer_with(weight, bias)
    shrink = []
    for alpha_f in (1.0, 10.0, 1000.0):
        projection = removal_projection(energy_projector(forget, alpha_f),
                                        energy_projector(retain, 100.0))
        edited = layer_with(project_weight(weight, projection), bias)
        with torch.no_grad():
            # Retain activations: the same outputs, bias included.
            assert torch.allclose(edited(retain.float()),
                                  original(retain.float()), atol=1e-5)
            # e3 carries the 0.9 share: (1 - 9 a / (9 a + 1)) of it stays.
            lam3, lam4 = scaled(alpha_f, 0.9), scaled(alpha_f, 0.1)
            assert torch.allclose(edited.weight @ E[2].float(),
                                  (1 - lam3) * weight @ E[2].float(),
                                  atol=1e-6)
            kept = (edited.weight @ E[3].float()).norm() / (
                weight @ E[3].float()).norm()
            # e4, the 0.1 share: 1 - 0.1 a / (0.1 a + 0.9) = 0.9 / (0.1 a
            # + 0.9): 0.9, 0.4737, 0.0089 for a = 1, 10, 1000.
            assert float(kept) == pytest.approx(1 - lam4, rel=1e-5)
            assert float(kept) == pytest.approx(
                0.9 / (0.1 * alpha_f + 0.9), rel=1e-5)
        shrink.append(float(kept))
    assert shrink[0] > shrink[1] > shrink[2] and shrink[2] < 0.01


def test_a_shared_direction_is_protected_by_the_retain_projector():
    # Retain: 3 e1, e2 (s 0.9, 0.1); forget: 2 e1, 2 e3 (s 0.5, 0.5).
    retain = torch.stack([3 * E[0], E[1]])
    forget = torch.stack([2 * E[0], 2 * E[2]])
    m_f = energy_projector(forget, 10.0)
    m_r = energy_projector(retain, 100.0)
    lam_f = 5 / 5.5  # 10 * 0.5 / (9 * 0.5 + 1)
    lam_r1, lam_r2 = 90 / 90.1, (10 / 10.9)  # 100 * 0.9 / 90.1; 10 / 10.9
    assert torch.allclose(torch.diag(m_f), torch.tensor(
        [lam_f, 0., lam_f, 0.], dtype=torch.float64))
    assert torch.allclose(torch.diag(m_r), torch.tensor(
        [lam_r1, lam_r2, 0., 0.], dtype=torch.float64))
    projection = removal_projection(m_f, m_r)
    # e1, in both: 1 - lam_f (1 - lam_r1) = 0.99899; e3, forget only:
    # 1 - lam_f = 0.0909; e2 and e4, not in the forget span: 1.
    expected = torch.diag(torch.tensor(
        [1 - lam_f * (1 - lam_r1), 1., 1 - lam_f, 1.], dtype=torch.float64))
    assert torch.allclose(projection, expected)
    assert float(projection[0, 0]) == pytest.approx(0.998991, abs=1e-6)
    # A low-rank update: W (I - P)^T - W has the forget span's rank, 2.
    weight = torch.randn(5, 4, dtype=torch.float64)
    update = project_weight(weight, projection) - weight
    assert int(torch.linalg.matrix_rank(update)) == 2
    # Without retain data the shared direction goes like e3.
    unprotected = removal_projection(m_f, torch.zeros(4, 4,
                                                      dtype=torch.float64))
    assert float(unprotected[0, 0]) == pytest.approx(1 - lam_f)


def test_drawn_samples_are_the_same_from_a_dataloader_and_from_batches():
    samples = random_batch([False] * 10, list(range(10)), seed=2)
    items = [dict(inputs=i, data_samples=s) for i, s in
             zip(samples['inputs'], samples['data_samples'])]
    loader = DataLoader(items, batch_size=4, collate_fn=pseudo_collate)
    batches = list(loader)

    def labels(batches):
        return [int(s.gt_label) for b in batches for s in b['data_samples']]

    drawn = labels(sampled_batches(batches, 3,
                                   torch.Generator().manual_seed(5)))
    assert len(drawn) == 3 and drawn == sorted(drawn)
    assert labels(sampled_batches(
        loader, 3, torch.Generator().manual_seed(5))) == drawn
    assert labels(sampled_batches(batches, 100, None)) == list(range(10))


def tiny_task(**method):
    model = build_classifier()
    batches = [random_batch([True] * 6 + [False] * 10,
                            [8, 9] * 3 + list(range(8)) + [0, 1])]
    context = fake_context(forget=(8, 9), max_epochs=0, batches=batches)
    return model, context, dict(type='mmforget.SubspaceRemoval', **method)


LINEARS = [f'backbone.layers.{b}.{layer}' for b in range(4) for layer in
           ('attn.qkv', 'attn.proj', 'ffn.layers.0.0', 'ffn.layers.1')]


def original_inputs(model, context, split, name):
    """A layer's input rows over a split, from the model as it is."""
    rows = []
    layer = model.get_submodule(name)
    handle = layer.register_forward_hook(
        lambda m, i, o: rows.append(i[0].reshape(-1, i[0].shape[-1])))
    model.eval()
    with torch.no_grad():
        for batch in context.task_data_loader(split):
            model.extract_feat(preprocess(model, batch)['inputs'])
    handle.remove()
    return torch.cat(rows)


def test_only_the_backbone_linear_weights_change_and_as_computed():
    model, context, cfg = tiny_task(alpha_r=100.0, alpha_f=10.0)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    # The last layer's projection, from the unmodified model's inputs.
    name = LINEARS[-1]
    expected = project_weight(before[f'{name}.weight'], removal_projection(
        energy_projector(original_inputs(model, context, 'forget', name),
                         10.0),
        energy_projector(original_inputs(model, context, 'retain', name),
                         100.0)))
    method, _ = attach(model, cfg, context)
    assert method.edited_layers == LINEARS
    after = dict(model.named_parameters())
    edited = {f'{n}.weight' for n in LINEARS}
    for param_name, old in before.items():
        if param_name in edited:
            assert not torch.equal(after[param_name], old), param_name
        else:  # biases, norms, embeddings, the head
            assert torch.equal(after[param_name], old), param_name
    assert torch.allclose(after[f'{name}.weight'], expected, atol=1e-6)
    assert not any(p.requires_grad for p in model.parameters())


def test_the_patch_embedding_is_projected_only_when_asked():
    model, context, cfg = tiny_task(patch_embed=True)
    before = model.backbone.patch_embed.projection.weight.detach().clone()
    method, _ = attach(model, cfg, context)
    assert method.edited_layers[0] == 'backbone.patch_embed.projection'
    assert not torch.equal(model.backbone.patch_embed.projection.weight,
                           before)


def test_training_is_refused_before_anything_changes():
    model, context, cfg = tiny_task()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    with pytest.raises(ValueError, match=r'train_cfg\.max_epochs=0'):
        attach(model, cfg, fake_context(forget=(8, 9), max_epochs=3))
    after = dict(model.named_parameters())
    assert all(torch.equal(after[n], p) for n, p in before.items())
    method = SubspaceRemoval()
    data = preprocess(model, random_batch([True, False], [8, 0]))
    with pytest.raises(RuntimeError, match='max_epochs=0'):
        method.loss(model, data['inputs'], data['data_samples'])
    with pytest.raises(TypeError, match='classifier'):
        method.check_model(torch.nn.Linear(2, 2))


def test_the_registry_and_the_configs_build_it():
    from mmengine.config import Config
    for config, alphas in (
            ('subspace-removal_vit-tiny_digits_continual.py', (100., 10.)),
            ('subspace-removal_vit-6b_numbers_continual.py', (1000., 30.))):
        cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs',
                                       'subspace_removal', config))
        assert cfg.train_cfg.max_epochs == 0 and cfg.param_scheduler is None
        method = METHODS.build(cfg.train_cfg.method)
        assert isinstance(method, SubspaceRemoval)
        assert (method.alpha_r, method.alpha_f) == alphas
        assert method.name == 'Subspace removal'


def test_a_layer_pattern_gets_its_own_strength_and_a_stray_one_is_refused():
    """The last block projected with alpha_f 1000, the others with 10:
    each layer's weight is the projection with its own alpha."""
    model, context, cfg = tiny_task(
        alpha_r=100.0, alpha_f=10.0,
        layer_alpha_f={r'backbone\.layers\.3\.': 1000.0})
    before = {n: p.detach().clone() for n, p in model.named_parameters()}

    def expected(name, alpha_f):
        return project_weight(before[f'{name}.weight'], removal_projection(
            energy_projector(original_inputs(model, context, 'forget', name),
                             alpha_f),
            energy_projector(original_inputs(model, context, 'retain', name),
                             100.0)))
    wanted = {name: expected(name, 1000.0 if '.3.' in name else 10.0)
              for name in (LINEARS[0], LINEARS[-1])}
    weaker = expected(LINEARS[-1], 10.0)
    attach(model, cfg, context)
    after = dict(model.named_parameters())
    for name, weight in wanted.items():
        assert torch.allclose(after[f'{name}.weight'], weight, atol=1e-6)
    assert not torch.allclose(after[f'{LINEARS[-1]}.weight'], weaker,
                              atol=1e-4)
    model, context, cfg = tiny_task(layer_alpha_f={r'neck\.': 100.0})
    with pytest.raises(ValueError, match=r"'neck\\\\.' matches none"):
        attach(model, cfg, context)
