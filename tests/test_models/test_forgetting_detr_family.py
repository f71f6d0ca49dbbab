"""The DETR family's forget losses: plain DETR's softmax form, and DINO's
denoising queries (none for forgotten boxes), then a short continual DINO run
on the shapes data through tools/train.py."""
import copy
import json

import pytest

import torch
import torch.nn.functional as F
from mmdet.models.dense_heads import DETRHead
from mmdet.testing import demo_mm_inputs
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

import mmforget  # noqa: F401
from detection_helpers import make_shapes, short_shapes_run
from mmforget.evaluation.release_hygiene import hygiene_problems
from mmforget.registry import METHODS

DINO_CONFIG = 'configs/gs_lora/gs-lora_dino-tiny_shapes_continual.py'


def build_detector(model_cfg, bound=1000.0, beta=0.5, forget_scope='all'):
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    model.attach_method(METHODS.build(dict(
        type='mmforget.GSLoRA', forget_loss=dict(
            type='mmforget.BoundedForgetLoss', bound=bound,
            loss_weight=beta), forget_scope=forget_scope)))
    return model


def batch(model, forget_flags, num_items, size=64):
    torch.manual_seed(1)
    packed = demo_mm_inputs(len(forget_flags),
                            [[3, size, size]] * len(forget_flags),
                            num_classes=5, num_items=list(num_items))
    for sample, forget in zip(packed['data_samples'], forget_flags):
        sample.set_metainfo(dict(forget=forget))
    return model.data_preprocessor(packed, True)


def test_plain_detr_matched_forget_loss_is_the_own_class_softmax_ce(
        tmp_path):
    config = tmp_path / 'detr.py'
    config.write_text("_base_ = 'mmdet::detr/detr_r50_8xb2-150e_coco.py'\n")
    cfg = Config.fromfile(str(config)).model
    cfg.update(type='ForgettingDETR', lora=dict(rank=4))
    cfg.backbone.init_cfg = None
    cfg.bbox_head.num_classes = 5
    model = build_detector(cfg, forget_scope='matched')
    assert model.uses_softmax
    model.eval()  # no dropout: the reference below sees the same net
    data = batch(model, [False, True], [2, 3])
    losses = model.loss(data['inputs'], data['data_samples'])
    # By hand: match the forget image's queries (last decoder layer), then
    # -log softmax(own class) over the 5 classes + no-object, averaged.
    with torch.no_grad():
        feats = model.extract_feat(data['inputs'])
        hidden = model.forward_transformer(
            feats, data['data_samples'])['hidden_states']
        cls_scores, bbox_preds = model.bbox_head(hidden)
        forget = [data['data_samples'][1]]
        labels = model.matched_labels(cls_scores[-1, 1:], bbox_preds[-1, 1:],
                                       forget)[0]
    matched = labels < 5
    assert int(matched.sum()) == 3
    expected = F.cross_entropy(cls_scores[-1, 1][matched], labels[matched])
    torch.testing.assert_close(losses['forget_ce'], expected)
    torch.testing.assert_close(losses['loss_forget'],
                               0.5 * (1000.0 - expected))


def tiny_dino():
    cfg = Config.fromfile(DINO_CONFIG).model
    cfg.pretrained = None
    return build_detector(cfg)


def test_dino_forget_boxes_get_no_denoising_queries():
    model = tiny_dino()
    model.train()
    model.backbone.eval()  # batch norm on running stats, as in eval below
    # 2 retain boxes, 7 forget boxes: up to 30 denoising queries in groups
    # of 2 x the largest box count. Retain boxes alone: 15 groups of 2 x 2;
    # with the forget boxes it would be 4 groups of 2 x 7.
    data = batch(model, [False, True], [2, 7])
    samples = data['data_samples']
    outputs = model.head_outputs(model.extract_feat(data['inputs']), samples)
    dn_meta = outputs['head_inputs']['dn_meta']
    assert dn_meta == dict(num_denoising_queries=60, num_denoising_groups=15)
    assert len(samples[1].gt_instances) == 7  # the sample is not changed
    assert outputs['cls_scores'].shape[2] == 30  # matching queries only
    losses = model.loss(data['inputs'], samples)
    assert 'retain.dn_loss_cls' in losses and 'retain.enc_loss_cls' in losses
    # The forget image's terms come from its matching queries alone: the
    # same as in eval mode, where DINO makes no denoising queries (the
    # matching queries never attend to denoising ones; no dropout here).
    model.eval()
    with torch.no_grad():
        feats = model.extract_feat(data['inputs'])
        head_inputs = model.forward_transformer(feats, samples)
        cls_scores, bbox_preds = model.bbox_head(
            head_inputs['hidden_states'], head_inputs['references'])
        forget = DETRHead.loss_by_feat(
            model.bbox_head, cls_scores[-1:, 1:], bbox_preds[-1:, 1:],
            [samples[1].gt_instances], [samples[1].metainfo])
    torch.testing.assert_close(losses['forget_ce'], forget['loss_cls'])
    box = 0.5 * (forget['loss_bbox'] + forget['loss_iou'])
    torch.testing.assert_close(losses['loss_forget_box'], box)


def test_dino_continual_run_releases_plain_dino_detectors(tmp_path):
    root = make_shapes(tmp_path / 'shapes', train=16, val=8)
    work_dir = tmp_path / 'dino_run'
    short_shapes_run(DINO_CONFIG, work_dir, root)
    summary = json.load(open(work_dir / 'forgetting_summary.json'))
    task0, task1 = summary['tasks']
    assert task0['forget_classes'] == [4] and task1['forget_classes'] == [2]
    assert len(task1['group_norms']) == 12
    checkpoint = torch.load(work_dir / 'task_1.pth', weights_only=True)
    assert not any('lora' in k for k in checkpoint['state_dict'])
    plain_cfg = Config.fromfile('configs/pretrain/dino-tiny_shapes.py').model
    with DefaultScope.overwrite_default_scope('mmdet'):
        plain = MODELS.build(plain_cfg)
    plain.load_state_dict(checkpoint['state_dict'], strict=True)


def test_dino_eu_k_run_keeps_the_image_features_and_resets_the_decoder(
        tmp_path):
    """EU-k on a DETR: between the two tasks' releases the backbone, neck
    and encoder are bit-identical (frozen), every decoder-side tensor has
    moved (re-initialised, trained), and the release is a clean plain DINO."""
    root = make_shapes(tmp_path / 'shapes', train=16, val=8)
    work_dir = tmp_path / 'eu_k_run'
    short_shapes_run('configs/eu_k/eu-k_dino-tiny_shapes_continual.py',
                     work_dir, root)
    first, second = (torch.load(work_dir / f'task_{t}.pth',
                                weights_only=True)['state_dict']
                     for t in (0, 1))
    assert set(first) == set(second)
    features = ('backbone.', 'neck.', 'encoder.', 'level_embed')
    moved = {k for k in first if first[k].is_floating_point()
             and not torch.equal(first[k], second[k])}
    assert not {k for k in moved if k.startswith(features)}
    decoder_side = {k for k in first if k.startswith(
        ('decoder.layers.', 'query_embedding.', 'bbox_head.'))
        and k.endswith('weight')}
    assert decoder_side and decoder_side <= moved
    release = torch.load(work_dir / 'release' / 'task_1.pth',
                         weights_only=True)
    assert hygiene_problems(release) == []
    plain_cfg = Config.fromfile('configs/pretrain/dino-tiny_shapes.py').model
    with DefaultScope.overwrite_default_scope('mmdet'):
        plain = MODELS.build(plain_cfg)
    plain.load_state_dict(release['state_dict'], strict=True)


FAMILY_CONFIGS = {
    'ForgettingDETR': 'detr/detr_r50_8xb2-150e_coco.py',
    'ForgettingConditionalDETR':
    'conditional_detr/conditional-detr_r50_8xb2-50e_coco.py',
    'ForgettingDABDETR': 'dab_detr/dab-detr_r50_8xb2-50e_coco.py',
    'ForgettingDeformableDETR':
    'deformable_detr/deformable-detr-refine-twostage_r50_16xb2-50e_coco.py',
    'ForgettingDINO': 'dino/dino-4scale_r50_8xb2-12e_coco.py',
}


@pytest.mark.parametrize('forgetting_type', list(FAMILY_CONFIGS))
def test_every_family_trains_only_its_adapters_on_forget_and_retain(
        forgetting_type, tmp_path):
    """One GS-LoRA++ step of each family's COCO model: retain set loss,
    bounded forget loss, positive box terms and the prototype loss of the
    matched queries; gradients reach the adapters and nothing else."""
    config = tmp_path / 'model.py'
    config.write_text(
        f"_base_ = 'mmdet::{FAMILY_CONFIGS[forgetting_type]}'\n")
    cfg = Config.fromfile(str(config)).model
    cfg.update(type=forgetting_type, lora=dict(rank=4))
    cfg.backbone.init_cfg = None
    cfg.bbox_head.num_classes = 5
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(copy.deepcopy(cfg))
    model.init_weights()
    method = METHODS.build(dict(
        type='mmforget.GSLoRAPlus',
        forget_loss=dict(type='mmforget.BoundedForgetLoss', bound=1000.0,
                         loss_weight=0.5),
        prototype_loss=dict(type='mmforget.PrototypeLoss', bound=1000.0,
                            forget_weight=1.0, retain_weight=1.0)))
    model.attach_method(method)
    method.prototypes = model.class_prototypes()
    assert method.prototypes.shape[0] == 5
    model.train()
    # Two-stage models pick up to 900 proposals from the feature maps.
    data = batch(model, [False, True], [2, 3], size=256)
    losses = model.loss(data['inputs'], data['data_samples'])
    for name in ('retain.loss_cls', 'loss_forget', 'loss_forget_box',
                 'loss_prototype'):
        assert torch.isfinite(losses[name]), name
    assert losses['loss_forget'] > 0 and losses['loss_forget_box'] > 0
    total = sum(v for k, v in losses.items()
                if k.startswith(('retain.', 'loss_')))
    total.backward()
    with_grad = [n for n, p in model.named_parameters()
                 if p.grad is not None and p.grad.abs().sum() > 0]
    assert with_grad and all('.lora_' in n for n in with_grad)
