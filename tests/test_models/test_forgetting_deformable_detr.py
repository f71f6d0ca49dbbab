"""The forgetting Deformable DETR: LoRA groups, the retain loss, the bounded
forget loss with positive box terms, and GS-LoRA++'s matched-query
prototypes."""
import pytest
import torch
from mmdet.testing import demo_mm_inputs
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from detection_helpers import SHAPES_CONFIG, build_forgetting_detr
from mmforget.models import prototype_kl


def batch(model, forget_flags, seed=0):
    torch.manual_seed(seed)
    packed = demo_mm_inputs(len(forget_flags),
                            [[3, 64, 64]] * len(forget_flags), num_classes=5,
                            num_items=[3] * len(forget_flags))
    for sample, forget in zip(packed['data_samples'], forget_flags):
        sample.set_metainfo(dict(forget=forget))
    return model.data_preprocessor(packed, True)


def head_outputs(model, data):
    """Last decoder layer's queries, class scores and boxes of the batch."""
    feats = model.extract_feat(data['inputs'])
    head_inputs = model.forward_transformer(feats, data['data_samples'])
    cls_scores, bbox_preds = model.bbox_head(head_inputs['hidden_states'],
                                             head_inputs['references'])
    return head_inputs['hidden_states'][-1], cls_scores[-1], bbox_preds[-1]


def head_losses(model, data, index):
    """The plain head loss (last decoder layer) of one image of the batch."""
    _, cls_scores, bbox_preds = head_outputs(model, data)
    sample = data['data_samples'][index]
    return model.bbox_head.loss_by_feat(
        cls_scores[None, index:index + 1], bbox_preds[None, index:index + 1],
        None, None, [sample.gt_instances], [sample.metainfo])


def matched_queries(model, data, index):
    """Queries, class scores and Hungarian labels of one image."""
    queries, cls_scores, bbox_preds = head_outputs(model, data)
    sample = data['data_samples'][index]
    labels = model.bbox_head.get_targets(
        [cls_scores[index]], [bbox_preds[index]], [sample.gt_instances],
        [sample.metainfo])[0][0]
    return queries[index], cls_scores[index], labels


def test_twelve_groups_and_only_lora_trains():
    model = build_forgetting_detr()
    assert list(model.lora_groups) == [
        f'encoder.layers.{i}' for i in range(6)] + [
        f'decoder.layers.{i}' for i in range(6)]
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert len(trainable) == 48 and all('.lora_' in n for n in trainable)


@pytest.mark.parametrize('bound', [1000.0, 1e-3])
def test_forget_loss_is_bounded_and_box_terms_stay_positive(bound):
    model = build_forgetting_detr(forget_loss=dict(
        type='mmforget.BoundedForgetLoss', bound=bound, loss_weight=0.5))
    model.eval()  # no dropout: the reference losses below see the same net
    data = batch(model, [False, True])
    losses = model.loss(data['inputs'], data['data_samples'])
    with torch.no_grad():
        retain = head_losses(model, data, 0)
        forget = head_losses(model, data, 1)
    # Retain: the standard DETR set loss of the retain image alone.
    for name in ('loss_cls', 'loss_bbox', 'loss_iou'):
        torch.testing.assert_close(losses[f'retain.{name}'], retain[name])
    # Forget: 0.5 * ReLU(BND - L_cls); the box terms are added, not negated.
    torch.testing.assert_close(losses['forget_ce'], forget['loss_cls'])
    expected = 0.5 * torch.relu(bound - forget['loss_cls'])
    torch.testing.assert_close(losses['loss_forget'], expected)
    box = 0.5 * (forget['loss_bbox'] + forget['loss_iou'])
    torch.testing.assert_close(losses['loss_forget_box'], box)
    assert losses['loss_forget_box'] > 0
    if bound < 1:  # L_cls is above the bound: nothing left to push
        assert losses['loss_forget'] == 0
    else:
        assert losses['loss_forget'] > 0


def test_clamped_forget_loss_has_no_gradient():
    model = build_forgetting_detr(forget_loss=dict(
        type='mmforget.BoundedForgetLoss', bound=1e-3, loss_weight=0.5))
    for name, param in model.named_parameters():
        if 'lora_B' in name:
            torch.nn.init.normal_(param, std=0.01)
    # mmdet initialises the last box layer to zero: boxes would not depend
    # on the features at all. A trained detector's does.
    torch.nn.init.normal_(model.bbox_head.reg_branches[-1][-1].weight,
                          std=0.01)
    data = batch(model, [False, True])
    losses = model.loss(data['inputs'], data['data_samples'])
    lora = [p for p in model.parameters() if p.requires_grad]
    grads = torch.autograd.grad(losses['loss_forget'], lora,
                                allow_unused=True, retain_graph=True)
    assert all(g is None or not g.any() for g in grads)
    grads = torch.autograd.grad(losses['loss_forget_box'], lora,
                                allow_unused=True)
    assert any(g is not None and g.any() for g in grads)


def test_per_task_beta():
    model = build_forgetting_detr(forget_loss=dict(
        type='mmforget.BoundedForgetLoss', bound=1000.0,
        loss_weight=[0.1, 0.6]))
    model.eval()
    data = batch(model, [False, True])
    model.forgetting_method.forget_loss.task = 1
    losses = model.loss(data['inputs'], data['data_samples'])
    torch.testing.assert_close(
        losses['loss_forget'], 0.6 * (1000.0 - losses['forget_ce']))


def test_prototypes_are_head_rows_and_loss_uses_matched_queries():
    model = build_forgetting_detr(prototype_loss=dict(
        type='mmforget.PrototypeLoss', bound=1000.0, forget_weight=1.0,
        retain_weight=0.0))
    model.eval()
    data = batch(model, [False, True])
    with pytest.raises(RuntimeError, match='prototypes'):
        model.loss(data['inputs'], data['data_samples'])
    method = model.forgetting_method
    method.prototypes = model.class_prototypes()
    torch.testing.assert_close(method.prototypes,
                               model.bbox_head.cls_branches[-1].weight)
    losses = model.loss(data['inputs'], data['data_samples'])
    # By hand: match the forget image's queries, KL to their class rows.
    queries, _, labels = matched_queries(model, data, 1)
    matched = labels < 5
    assert int(matched.sum()) == len(data['data_samples'][1].gt_instances)
    distance = prototype_kl(queries[matched],
                            method.prototypes[labels[matched]]).mean()
    torch.testing.assert_close(losses['loss_prototype'],
                               torch.relu(1000.0 - distance))


def test_merged_state_dict_loads_into_plain_mmdet():
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope

    from detection_helpers import SHAPES_CONFIG
    model = build_forgetting_detr()
    for name, param in model.named_parameters():
        if 'lora_B' in name:
            torch.nn.init.normal_(param, std=0.05)
    model.eval()
    data = batch(model, [False, False])
    with torch.no_grad():
        before = model.predict(data['inputs'], data['data_samples'])
    model.finish_task()
    plain_cfg = Config.fromfile(SHAPES_CONFIG).model
    with DefaultScope.overwrite_default_scope('mmdet'):
        plain = MODELS.build(plain_cfg)
    plain.load_state_dict(model.merged_state_dict(), strict=True)
    plain.eval()
    with torch.no_grad():
        after = plain.predict(data['inputs'], data['data_samples'])
    for a, b in zip(before, after):
        torch.testing.assert_close(b.pred_instances.scores,
                                   a.pred_instances.scores,
                                   atol=1e-4, rtol=1e-4)


def test_matched_forget_scope_negates_own_class_scores_of_matched_queries():
    with pytest.raises(ValueError, match="forget_scope must be 'all' or"):
        build_forgetting_detr(forget_scope='unmatched')
    # The scope is the method's: a model config that still sets it is told
    # where it moved.
    cfg = Config.fromfile(SHAPES_CONFIG).model
    cfg.update(type='ForgettingDeformableDETR', forget_scope='matched')
    with pytest.raises(ValueError, match='train_cfg.method.forget_scope'), \
            DefaultScope.overwrite_default_scope('mmdet'):
        MODELS.build(cfg)
    model = build_forgetting_detr(forget_scope='matched', forget_loss=dict(
        type='mmforget.BoundedForgetLoss', bound=1000.0, loss_weight=0.5))
    model.eval()
    data = batch(model, [False, True])
    losses = model.loss(data['inputs'], data['data_samples'])
    # By hand: the focal loss's positive term on each matched query's score
    # for its box's class, averaged over the matched queries.
    _, cls_scores, labels = matched_queries(model, data, 1)
    matched = labels < 5
    own = cls_scores[matched].gather(1, labels[matched, None])
    focal = model.bbox_head.loss_cls
    p = own.sigmoid()
    expected = focal.loss_weight * (
        -focal.alpha * (1 - p)**focal.gamma * torch.log(p)).mean()
    torch.testing.assert_close(losses['forget_ce'], expected)
    torch.testing.assert_close(losses['loss_forget'],
                               0.5 * (1000.0 - expected))
    # The papers' scope also counts background and other-class scores.
    forget_all = head_losses(model, data, 1)['loss_cls']
    assert not torch.isclose(forget_all, expected)


def no_dropout(model):
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
        elif isinstance(module, torch.nn.MultiheadAttention):
            module.dropout = 0.0  # a float, applied inside its forward


def test_retrain_trains_a_detector_with_its_pretraining_loss():
    """Retrain on a detector: every weight trains, on the plain
    DeformableDETR set loss (decoder auxiliary losses included) of the
    retain images, and a forget image is refused."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope

    from detection_helpers import SHAPES_CONFIG
    from mmforget.registry import METHODS
    model = build_forgetting_detr(lora=None, aux_loss=True)
    method = METHODS.build(dict(type='mmforget.Retrain'))
    model.attach_method(method)
    method.set_trainable(model)
    assert all(p.requires_grad for p in model.parameters())
    no_dropout(model)  # both models compute the same function
    data = batch(model, [False, False])
    losses = method.loss(model, data['inputs'], data['data_samples'])
    with DefaultScope.overwrite_default_scope('mmdet'):
        plain = MODELS.build(Config.fromfile(SHAPES_CONFIG).model)
    plain.load_state_dict(model.state_dict(), strict=True)
    no_dropout(plain)
    expected = plain.loss(data['inputs'], data['data_samples'])
    assert 'd0.loss_cls' in expected
    assert {k.removeprefix('retain.'): float(v.detach())
            for k, v in losses.items()} == pytest.approx(
                {k: float(v.detach()) for k, v in expected.items()},
                rel=1e-5)
    with pytest.raises(RuntimeError, match='forget samples'):
        method.loss(model, *batch(model, [False, True]).values())
