"""LoRA presets of the model families: each model is built from mmpretrain's or
mmdet's own config with random weights; only its FFN linears get adapters
(one group per block), merging changes no output, and the merged weights load
strictly into the plain model."""
import copy

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmforget  # noqa: F401  (registers the forgetting models)
from mmforget.lora import LoRALinear

# config, number of blocks (= groups), linears of the FFN per block, and
# names that must stay plain linears.
CLASSIFIERS = {
    'vit': ('vision_transformer/vit-base-p16_64xb64_in1k.py', 12, 2, []),
    'deit': ('deit/deit-tiny-distilled_4xb256_in1k.py', 12, 2, []),
    'deit3': ('deit3/deit3-small-p16_64xb64_in1k.py', 12, 2, []),
    'beit': ('beit/benchmarks/beit-base-p16_8xb64_in1k.py', 12, 2, []),
    'eva02': ('eva02/eva02-tiny-p14_in1k.py', 12, 2, []),
    'swin': ('swin_transformer/swin-tiny_16xb64_in1k.py', 12, 2, []),
    'swinv2': ('swin_transformer_v2/swinv2-tiny-w8_16xb64_in1k-256px.py',
               12, 2, ['cpb_mlp']),
    'convnext': ('convnext/convnext-tiny_32xb128_in1k.py', 18, 2, []),
}
DETECTORS = {
    'detr': ('detr/detr_r50_8xb2-150e_coco.py', 'ForgettingDETR'),
    'conditional-detr': (
        'conditional_detr/conditional-detr_r50_8xb2-50e_coco.py',
        'ForgettingConditionalDETR'),
    'dab-detr': ('dab_detr/dab-detr_r50_8xb2-50e_coco.py',
                 'ForgettingDABDETR'),
    'deformable-detr': (
        'deformable_detr/deformable-detr_r50_16xb2-50e_coco.py',
        'ForgettingDeformableDETR'),
    'deformable-detr-refine-two-stage': (
        'deformable_detr/'
        'deformable-detr-refine-twostage_r50_16xb2-50e_coco.py',
        'ForgettingDeformableDETR'),
    'dino': ('dino/dino-4scale_r50_8xb2-12e_coco.py', 'ForgettingDINO'),
}


def package_config(path, tmp_path):
    """A config that inherits ``package::path``, as a user's would."""
    config = tmp_path / 'user_config.py'
    config.write_text(f"_base_ = '{path}'\n")
    return Config.fromfile(str(config))


def build(scope, model_cfg):
    model_cfg = copy.deepcopy(model_cfg)  # mmdet heads write into theirs
    if scope == 'mmpretrain':
        from mmpretrain.registry import MODELS
    else:
        from mmdet.registry import MODELS
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(model_cfg)
    return model


def randomise_adapters(model):
    """Adapters as after training, and layer scales (DeiT-3, BEiT,
    ConvNeXt init them at 1e-5 to 0.1) at 1, so that the FFN changes are
    visible in the outputs."""
    for name, param in model.named_parameters():
        if 'gamma' in name:
            param.data.fill_(1.0)
    for module in model.modules():
        if isinstance(module, LoRALinear):
            nn.init.normal_(module.lora_B, std=0.02)


def load_strictly(plain, state):
    """``state`` has exactly the plain model's keys and loads into it. Keys
    a model's own load hook drops (Swin V2 rebuilds its relative-position
    tables on every load) are the only ones reported missing, as when the
    plain model loads its own state dict."""
    assert set(state) == set(plain.state_dict())
    own = plain.load_state_dict(plain.state_dict(), strict=False)
    result = plain.load_state_dict(state, strict=False)
    assert not result.unexpected_keys
    assert set(result.missing_keys) == set(own.missing_keys)


def check_only_ffn_lora_trains(model, groups, per_block, plain_names):
    adapted = [n for n, m in model.named_modules()
               if isinstance(m, LoRALinear)]
    assert len(model.lora_groups) == groups
    assert all(len(g) == per_block for g in model.lora_groups.values())
    assert len(adapted) == groups * per_block
    assert not any(p in n for n in adapted for p in plain_names)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all(
        n.rsplit('.', 1)[-1] in ('lora_A', 'lora_B') for n in trainable)
    return adapted


@pytest.mark.parametrize('family', list(CLASSIFIERS))
def test_classifier_preset(family, tmp_path):
    path, groups, per_block, plain_names = CLASSIFIERS[family]
    cfg = package_config(f'mmpretrain::{path}', tmp_path)
    plain_cfg = cfg.model
    for key in ('init_cfg', 'train_cfg'):
        plain_cfg.pop(key, None)
    plain_cfg.backbone.pop('init_cfg', None)
    model = build('mmpretrain', dict(plain_cfg, type='ForgettingClassifier',
                                     lora=dict(rank=4)))
    adapted = check_only_ffn_lora_trains(model, groups, per_block,
                                         plain_names)
    assert all('.ffn.' in n or '.mlp.' in n or 'pointwise_conv' in n
               for n in adapted)
    # The class heads (DeiT's distillation head too) stay frozen.
    assert not any(p.requires_grad for p in model.head.parameters())
    randomise_adapters(model)
    model.eval()
    size = plain_cfg.backbone.get('img_size', 224)
    size = size if isinstance(size, int) else size[0]
    inputs = torch.randn(1, 3, size, size)
    with torch.no_grad():
        unmerged = model(inputs, mode='tensor')
    plain = build('mmpretrain', plain_cfg)
    load_strictly(plain, model.merged_state_dict())
    plain.eval()
    with torch.no_grad():
        merged = plain(inputs, mode='tensor')
        for module in model.modules():
            if isinstance(module, LoRALinear):
                module.lora_B.data.zero_()
        without_adapters = model(inputs, mode='tensor')
    # The adapters changed the function, and merging kept the change.
    assert not torch.allclose(merged, without_adapters, atol=1e-3)
    torch.testing.assert_close(merged, unmerged, atol=1e-4, rtol=1e-4)


def test_unknown_backbone_needs_explicit_targets():
    from mmpretrain.models import ResNet
    from mmforget.models import ForgettingClassifier
    with pytest.raises(ValueError, match='no LoRA preset for the backbone '
                       'ResNet.*Pass lora.targets'):
        ForgettingClassifier(backbone=dict(type='ResNet', depth=18),
                             head=dict(type='LinearClsHead', num_classes=3,
                                       in_channels=512), lora=dict(rank=4))
    model = ForgettingClassifier(
        backbone=dict(type='ResNet', depth=18),
        head=dict(type='LinearClsHead', num_classes=3, in_channels=512),
        lora=dict(rank=4, targets=[r'head\.(fc)']))
    assert isinstance(model.head.fc, LoRALinear) and ResNet


def test_convnext_with_conv_pointwise_layers_is_refused(tmp_path):
    cfg = package_config('mmpretrain::convnext/convnext-tiny_32xb128_in1k.py',
                         tmp_path).model
    cfg.backbone.linear_pw_conv = False
    with pytest.raises(ValueError, match='linear_pw_conv=True'):
        build('mmpretrain', dict(cfg, type='ForgettingClassifier',
                                 lora=dict(rank=4)))


def detection_inputs(model, num_items=(2, 3)):
    from mmdet.testing import demo_mm_inputs
    torch.manual_seed(1)
    # Two-stage models pick up to 900 proposals from the feature maps.
    packed = demo_mm_inputs(len(num_items),
                            [[3, 256, 256]] * len(num_items),
                            num_classes=80, num_items=list(num_items))
    return model.data_preprocessor(packed, False)


@pytest.mark.parametrize('family', list(DETECTORS))
def test_detector_preset(family, tmp_path):
    path, forgetting_type = DETECTORS[family]
    cfg = package_config(f'mmdet::{path}', tmp_path).model
    cfg.backbone.init_cfg = None
    model = build('mmdet', dict(cfg, type=forgetting_type,
                                lora=dict(rank=4)))
    model.init_weights()
    adapted = check_only_ffn_lora_trains(model, 12, 2, ['reg_ffn'])
    assert all(n.startswith(('encoder.layers.', 'decoder.layers.'))
               for n in adapted)
    if family == 'dino':
        label_embedding = model.dn_query_generator.label_embedding
        assert not label_embedding.weight.requires_grad
    randomise_adapters(model)
    model.eval()
    data = detection_inputs(model)
    with torch.no_grad():
        unmerged = model.predict(data['inputs'], data['data_samples'])
    plain = build('mmdet', cfg)
    load_strictly(plain, model.merged_state_dict())
    plain.eval()
    with torch.no_grad():
        merged = plain.predict(data['inputs'], data['data_samples'])
    for a, b in zip(unmerged, merged):
        torch.testing.assert_close(b.pred_instances.scores,
                                   a.pred_instances.scores,
                                   atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(b.pred_instances.bboxes,
                                   a.pred_instances.bboxes,
                                   atol=1e-3, rtol=1e-4)
