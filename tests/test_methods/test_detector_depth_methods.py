"""Head reset, Subspace removal and PRR on the tiny shapes Deformable DETR:
what changes is exactly what each says it changes, by hand."""
import pytest
import torch
from mmdet.testing import demo_mm_inputs

import mmforget  # noqa: F401
from detection_helpers import build_forgetting_detr
from method_helpers import attach, fake_context
from mmforget.methods.subspace_removal import (energy_projector,
                                               project_weight,
                                               removal_projection)

FORGET = (4, )  # 'ring' of the five shapes
CLASS_KEYS = ('bbox_head.cls_branches.0.weight',
              'bbox_head.cls_branches.0.bias')


def raw_batch(forget_flags, seed=0):
    """A collated, not yet preprocessed batch of random detection images;
    every forget image shows class 4 among its boxes."""
    torch.manual_seed(seed)
    packed = demo_mm_inputs(len(forget_flags),
                            [[3, 64, 64]] * len(forget_flags), num_classes=4,
                            num_items=[2] * len(forget_flags))
    for sample, forget in zip(packed['data_samples'], forget_flags):
        if forget:
            sample.gt_instances.labels[0] = FORGET[0]
        sample.set_metainfo(dict(forget=forget))
    return packed


def task_context(max_epochs=0):
    return fake_context(num_classes=5, forget=FORGET, max_epochs=max_epochs,
                        batches=[raw_batch([True, True, False, False],
                                           seed=s) for s in range(2)])


def weights(model):
    return {n: p.detach().clone() for n, p in model.named_parameters()}


@torch.no_grad()
def decoder_scores(model, batch):
    """Class scores of every decoder layer (layers x images x queries x
    classes) of a raw batch, in eval mode."""
    model.eval()
    data = model.data_preprocessor(batch, False)
    outputs = model.head_outputs(model.extract_feat(data['inputs']),
                                 data['data_samples'])
    return outputs['cls_scores']


def test_head_reset_removes_the_forgotten_logit_of_every_decoder_layer():
    model = build_forgetting_detr()
    batch = raw_batch([False, False], seed=5)
    before, scores_before = weights(model), decoder_scores(model, batch)
    attach(model, dict(type='mmforget.HeadReset', value=0.0, bias=-30.0),
           task_context())
    layers = model.class_branches()
    # One class branch shared by the 6 decoder layers (no box refine).
    assert len(layers) == 1 and layers[0] is model.bbox_head.cls_branches[5]
    scores = decoder_scores(model, batch)
    assert scores.shape[0] == 6
    # By hand: a zero row . x - 30 = -30 at every query of every layer.
    assert torch.equal(scores[..., 4], torch.full_like(scores[..., 4], -30.))
    assert torch.equal(scores[..., :4], scores_before[..., :4])
    after = dict(model.named_parameters())
    for name, old in before.items():
        if name in CLASS_KEYS:
            assert torch.equal(after[name][:4], old[:4]), name
            assert not torch.equal(after[name][4], old[4]), name
        else:  # the encoder, decoder, box branches: the original's
            assert torch.equal(after[name], old), name
    assert not any(p.requires_grad for p in model.parameters())


def input_rows_of(model, layer, batches):
    """Every input row ``layer`` receives over ``batches``, collected with
    an explicit extract_feat + forward_transformer + bbox_head pass."""
    rows = []
    handle = layer.register_forward_hook(
        lambda module, inputs, output: rows.append(
            inputs[0].reshape(-1, inputs[0].shape[-1]).detach()))
    model.eval()
    with torch.no_grad():
        for batch in batches:
            data = model.data_preprocessor(batch, False)
            head_inputs = model.forward_transformer(
                model.extract_feat(data['inputs']), data['data_samples'])
            model.bbox_head(head_inputs['hidden_states'],
                            head_inputs['references'])
    handle.remove()
    return torch.cat(rows)


def test_subspace_removal_projects_the_encoder_and_decoder_linears_only():
    model = build_forgetting_detr()
    context = task_context()
    before = weights(model)
    name = 'decoder.layers.5.ffn.layers.1'
    layer = model.get_submodule(name)
    forget = input_rows_of(model, layer, context.task_data_loader('forget'))
    retain = input_rows_of(model, layer, context.task_data_loader('retain'))
    expected = project_weight(before[f'{name}.weight'], removal_projection(
        energy_projector(forget, 300.0), energy_projector(retain, 100.0)))
    method, _ = attach(model, dict(type='mmforget.SubspaceRemoval',
                                   alpha_r=100.0, alpha_f=300.0), context)
    edited = set(method.edited_layers)
    # Every encoder and decoder layer's deformable attention (4 linears)
    # and FFN (2), the decoder's reference points; not the head, not the
    # decoder self-attention's nn.MultiheadAttention output projection.
    assert len([n for n in edited if n.startswith('encoder.')]) == 6 * 6
    assert len([n for n in edited if n.startswith('decoder.layers')]) == 6 * 6
    assert 'reference_points_fc' in edited
    assert not any(n.startswith('bbox_head') or n.endswith('out_proj')
                   for n in edited)
    after = dict(model.named_parameters())
    assert torch.allclose(after[f'{name}.weight'], expected, atol=1e-6)
    for param_name, old in before.items():
        if param_name[:-len('.weight')] in edited:
            continue
        assert torch.equal(after[param_name], old), param_name


def test_prr_on_a_detector_releases_plain_keys_with_the_logit_removed():
    model = build_forgetting_detr()
    plain_keys = {k for k in model.state_dict() if 'lora_' not in k}
    method, context = attach(
        model, dict(type='mmforget.ProjectResetRepair', head_bias=-30.0),
        task_context(max_epochs=1))
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all('.lora_' in n for n in trainable)
    assert len(method.projection.edited_layers) > 70
    # One repair step on kept images: the adapters move, the loss is the
    # detector's own set loss.
    retain = model.data_preprocessor(raw_batch([False, False], seed=9), True)
    optimizer = torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.1)
    model.train()
    losses = method.loss(model, retain['inputs'], retain['data_samples'])
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    optimizer.step()
    assert any(p.abs().sum() > 0 for n, p in model.named_parameters()
               if n.endswith('lora_B'))
    batch = raw_batch([False], seed=11)
    adapted = decoder_scores(model, batch)
    method.finish_task(model)
    merged = decoder_scores(model, batch)
    assert torch.allclose(adapted, merged, atol=1e-4)
    assert set(model.merged_state_dict()) == plain_keys
    assert torch.equal(merged[..., 4], torch.full_like(merged[..., 4], -30.))
    mixed = model.data_preprocessor(raw_batch([True, False], seed=3), True)
    with pytest.raises(RuntimeError, match='forget samples'):
        method.loss(model, mixed['inputs'], mixed['data_samples'])
