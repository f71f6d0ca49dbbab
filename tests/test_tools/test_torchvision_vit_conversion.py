"""A torchvision ViT converts to an mmpretrain ImageClassifier that computes
the same logits, at the kept classes and in their order.

torchvision's own model is the reference: random weights (nothing is
downloaded), eval mode, the same input. The equivalence runs on a small ViT
with a matching arch dict (float32) and on ViT-B/16 in the
``mmpretrain::_base_/models/vit-base-p16.py`` config (float64).
"""
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS
from torchvision.models import vit_b_16
from torchvision.models.vision_transformer import VisionTransformer

from conftest import REPO_ROOT, run_cli

TOOL = 'tools/model_converters/torchvision_vit2mmpretrain.py'
spec = importlib.util.spec_from_file_location(
    'torchvision_vit2mmpretrain', osp.join(REPO_ROOT, TOOL))
converter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(converter)

SMALL = dict(image_size=32, patch_size=8, num_layers=2, num_heads=4,
             hidden_dim=64, mlp_dim=128, num_classes=10)


def randomize(model, seed=0):
    """Every parameter random (torchvision zeroes the head), q and k rows
    larger so attention is sharp, as in a trained model; eval mode."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            noise = torch.randn(param.shape, generator=g)
            if name.endswith(('class_token', 'pos_embedding')):
                param.copy_(noise * 0.5)
            elif param.dim() > 1:
                param.copy_(noise * param[0].numel() ** -0.5)
                if name.endswith('in_proj_weight'):
                    param[:2 * param.shape[1]] *= 3
            elif '.ln' in name and name.endswith('weight'):
                param.copy_(1 + 0.1 * noise)
            else:
                param.copy_(0.1 * noise)
    return model.eval()


def small_torchvision(**kwargs):
    return randomize(VisionTransformer(**dict(SMALL, **kwargs)))


def mmpretrain_model(tmp_path, num_classes, small=False, hidden_dim=None):
    """The model of a config inheriting mmpretrain's vit-base-p16."""
    backbone = dict(init_cfg=None)
    head = dict(num_classes=num_classes)
    if small:
        backbone.update(
            arch=dict(_delete_=True, embed_dims=SMALL['hidden_dim'],
                      num_layers=SMALL['num_layers'],
                      num_heads=SMALL['num_heads'],
                      feedforward_channels=SMALL['mlp_dim']),
            img_size=SMALL['image_size'], patch_size=SMALL['patch_size'])
        head.update(in_channels=SMALL['hidden_dim'])
    if hidden_dim:
        head.update(hidden_dim=hidden_dim)
    path = tmp_path / 'vit_config.py'
    path.write_text(
        "_base_ = 'mmpretrain::_base_/models/vit-base-p16.py'\n"
        f'model = dict(backbone={backbone!r}, head={head!r})\n')
    cfg = Config.fromfile(str(path))
    assert cfg.model.backbone.get('norm_cfg') is None  # eps 1e-6 default
    return MODELS.build(cfg.model).eval()


def assert_same_logits(tv_model, mm_model, classes, size, batch=2,
                       dtype=torch.float32):
    """float64 for ViT-B: in float32 its 12 blocks differ by ~1e-4 from
    the order of the (fused) attention sums alone."""
    images = torch.randn(batch, 3, size, size, dtype=dtype,
                         generator=torch.Generator().manual_seed(1))
    tv_model.to(dtype)
    mm_model.to(dtype)
    with torch.no_grad():
        expected = tv_model(images)[:, classes]
        actual = mm_model(images, mode='tensor')
    torch.testing.assert_close(actual, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('classes', [None, [7, 2, 9, 0], [4]])
def test_small_vit_same_logits_at_kept_classes(tmp_path, classes):
    tv_model = small_torchvision()
    state, meta = converter.convert_torchvision_vit(tv_model.state_dict(),
                                                    classes)
    kept = list(range(SMALL['num_classes'])) if classes is None else classes
    model = mmpretrain_model(tmp_path, len(kept), small=True)
    model.load_state_dict(state, strict=True)
    assert_same_logits(tv_model, model, kept, SMALL['image_size'])
    assert meta['classes'] == classes
    assert meta['num_classes'] == len(kept)
    assert (meta['img_size'], meta['patch_size']) == (32, 8)
    assert meta['arch'] == dict(embed_dims=64, num_layers=2,
                                feedforward_channels=128)


def test_small_vit_with_pre_logits_layer(tmp_path):
    """representation_size adds a Linear + Tanh before the head, as
    VisionTransformerClsHead's hidden_dim does."""
    tv_model = small_torchvision(representation_size=32)
    state, meta = converter.convert_torchvision_vit(tv_model.state_dict(),
                                                    [3, 1])
    assert meta['head_hidden_dim'] == 32
    model = mmpretrain_model(tmp_path, 2, small=True, hidden_dim=32)
    model.load_state_dict(state, strict=True)
    assert_same_logits(tv_model, model, [3, 1], SMALL['image_size'])


def test_vit_b16_loads_strictly_into_the_base_config(tmp_path):
    """ViT-B/16 cut to 100 classes (ImageNet100-like, not sorted) fits the
    vit-base-p16 config with num_classes=100 and gives the same logits."""
    torch.manual_seed(0)
    tv_model = randomize(vit_b_16(weights=None))
    classes = torch.randperm(1000)[:100].tolist()
    # A DDP-saved training checkpoint: wrapped and ``module.``-prefixed.
    wrapped = dict(model={'module.' + k: v
                          for k, v in tv_model.state_dict().items()})
    state, meta = converter.convert_torchvision_vit(wrapped, classes)
    assert meta['arch'] == 'b'
    assert (meta['img_size'], meta['patch_size']) == (224, 16)
    model = mmpretrain_model(tmp_path, 100)
    assert model.backbone.ln1.eps == model.backbone.layers[0].ln1.eps == 1e-6
    model.load_state_dict(state, strict=True)
    assert_same_logits(tv_model, model, classes, 224, batch=1,
                       dtype=torch.float64)


def test_cli_end_to_end(tmp_path):
    tv_model = small_torchvision()
    src, dst = tmp_path / 'vit.pth', tmp_path / 'out' / 'vit_cut.pth'
    torch.save(tv_model.state_dict(), src)
    classes = tmp_path / 'classes.txt'
    classes.write_text('# kept classes\n8\n3\n\n5\n')
    code, log = run_cli([TOOL, str(src), str(dst), '--classes',
                         str(classes)])
    assert code == 0, log
    assert 'num_classes=3' in log and 'ascending' in log
    checkpoint = torch.load(dst, map_location='cpu', weights_only=True)
    assert set(checkpoint) == {'state_dict', 'meta'}
    assert checkpoint['meta']['classes'] == [8, 3, 5]
    assert checkpoint['meta']['converted_from'] == 'vit.pth'
    model = mmpretrain_model(tmp_path, 3, small=True)
    model.load_state_dict(checkpoint['state_dict'], strict=True)
    assert_same_logits(tv_model, model, [8, 3, 5], SMALL['image_size'])

    # An existing destination stays unless --force; then comma-separated.
    before = dst.read_bytes()
    code, log = run_cli([TOOL, str(src), str(dst)])
    assert code != 0 and '--force' in log, log
    assert dst.read_bytes() == before
    code, log = run_cli([TOOL, str(src), str(dst), '--force',
                         '--classes', '1,2'])
    assert code == 0, log
    checkpoint = torch.load(dst, map_location='cpu', weights_only=True)
    assert checkpoint['state_dict']['head.layers.head.bias'].shape == (2, )

    # A class out of range names the head's size; nothing is written.
    code, log = run_cli([TOOL, str(src), str(tmp_path / 'bad.pth'),
                         '--classes', '3,10'])
    assert code != 0
    assert '[10] are out of range' in log and '0..9' in log, log
    assert not (tmp_path / 'bad.pth').exists()


def test_errors_name_the_problem():
    state = small_torchvision().state_dict()
    with pytest.raises(ValueError, match=r'\[5\] are listed more than once'):
        converter.convert_torchvision_vit(state, [5, 1, 5])
    with pytest.raises(ValueError, match=r'\[-1\] are out of range'):
        converter.convert_torchvision_vit(state, [-1])
    extra = dict(state, **{'encoder.layers.encoder_layer_0.extra.weight':
                           torch.zeros(1)})
    with pytest.raises(ValueError, match='1 keys are not in the torchvision '
                       'VisionTransformer layout: encoder.layers.'
                       'encoder_layer_0.extra.weight'):
        converter.convert_torchvision_vit(extra)
    missing = {k: v for k, v in state.items()
               if k != 'encoder.layers.encoder_layer_1.mlp.3.bias'}
    with pytest.raises(ValueError, match='1 torchvision ViT keys are missing: '
                       'encoder.layers.encoder_layer_1.mlp.3.bias'):
        converter.convert_torchvision_vit(missing)
    with pytest.raises(ValueError, match='expected a state dict of tensors'):
        converter.convert_torchvision_vit(dict(epoch=3))
    with pytest.raises(ValueError, match="'x' is not an integer class"):
        converter.parse_classes('1,x')
    assert converter.parse_classes('4, 2,7') == [4, 2, 7]
