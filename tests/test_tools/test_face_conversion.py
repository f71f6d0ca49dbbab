"""The Face Transformer computes the papers' function, and the authors'
checkpoints convert to it.

The reference below is written out here, independently of mmforget and
mmpretrain: the authors' ViT_face forward (patches flattened as
``(p1 p2 c)``, pre-norm blocks, attention scaled by ``dim ** -0.5``,
LayerNorm eps 1e-5, embedding = LayerNorm of the CLS token) on a state
dict in their key layout.
"""
import importlib.util
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import MODELS

import mmforget  # noqa: F401  (registers FaceTransformer)
from conftest import REPO_ROOT, run_cli

spec = importlib.util.spec_from_file_location(
    'gs_lora_face2mmforget',
    osp.join(REPO_ROOT, 'tools/model_converters/gs_lora_face2mmforget.py'))
converter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(converter)

SMALL = dict(depth=2, dim=64, heads=4, mlp=128, patch=8, img=32, classes=5)
PAPERS = dict(depth=6, dim=512, heads=8, mlp=2048, patch=8, img=112,
              classes=100)


def official_state(depth, dim, heads, mlp, patch, img, classes, lora_rank=0,
                   seed=0):
    """Random weights in the authors' layout. The q and k rows are 4x
    larger than a default init, so attention is sharp, as in a trained
    model, and its scale matters."""
    g = torch.Generator().manual_seed(seed)

    def randn(*shape, std=1.0):
        return torch.randn(*shape, generator=g) * std

    n = (img // patch) ** 2
    state = {
        'pos_embedding': randn(1, n + 1, dim),
        'cls_token': randn(1, 1, dim),
        'patch_to_embedding.weight': randn(dim, 3 * patch * patch,
                                           std=(3 * patch * patch) ** -0.5),
        'patch_to_embedding.bias': randn(dim, std=0.1),
        'mlp_head.0.weight': 1 + randn(dim, std=0.1),
        'mlp_head.0.bias': randn(dim, std=0.1),
        'loss.weight': randn(classes, dim),
    }
    for i in range(depth):
        p = f'transformer.layers.{i}.'
        qkv = randn(3 * dim, dim, std=dim ** -0.5)
        qkv[:2 * dim] *= 4
        state.update({
            p + '0.fn.norm.weight': 1 + randn(dim, std=0.1),
            p + '0.fn.norm.bias': randn(dim, std=0.1),
            p + '0.fn.fn.to_qkv.weight': qkv,
            p + '0.fn.fn.to_out.0.weight': randn(dim, dim, std=dim ** -0.5),
            p + '0.fn.fn.to_out.0.bias': randn(dim, std=0.1),
            p + '1.fn.norm.weight': 1 + randn(dim, std=0.1),
            p + '1.fn.norm.bias': randn(dim, std=0.1),
            p + '1.fn.fn.net.0.weight': randn(mlp, dim, std=dim ** -0.5),
            p + '1.fn.fn.net.0.bias': randn(mlp, std=0.1),
            p + '1.fn.fn.net.3.weight': randn(dim, mlp, std=mlp ** -0.5),
            p + '1.fn.fn.net.3.bias': randn(dim, std=0.1),
        })
        for fc, (out, inp) in (('net.0', (mlp, dim)), ('net.3', (dim, mlp))):
            if lora_rank:
                state[p + f'1.fn.fn.{fc}.lora_A'] = randn(lora_rank, inp,
                                                          std=0.3)
                state[p + f'1.fn.fn.{fc}.lora_B'] = randn(out, lora_rank,
                                                          std=0.3)
    return state


def official_embedding(state, images, heads, patch, add_lora=False):
    """The authors' forward, eval mode; ``add_lora``: loralib's unmerged
    (training-mode) adapters, ``W + B A / r``."""
    b, c, h, w = images.shape
    x = images.reshape(b, c, h // patch, patch, w // patch, patch)
    x = x.permute(0, 2, 4, 3, 5, 1).reshape(b, -1, patch * patch * c)
    x = x @ state['patch_to_embedding.weight'].T + \
        state['patch_to_embedding.bias']
    dim = x.shape[-1]
    x = torch.cat([state['cls_token'].expand(b, 1, dim), x], 1)
    x = x + state['pos_embedding'][:, :x.shape[1]]

    def norm(t, key):
        return F.layer_norm(t, (dim, ), state[key + '.weight'],
                            state[key + '.bias'], eps=1e-5)

    def linear(t, key):
        weight = state[key + '.weight']
        if add_lora and key + '.lora_A' in state:
            lora_a, lora_b = state[key + '.lora_A'], state[key + '.lora_B']
            weight = weight + lora_b @ lora_a / lora_a.shape[0]
        bias = state.get(key + '.bias')
        return t @ weight.T + (0 if bias is None else bias)

    depth = len({k.split('.')[2] for k in state if k.startswith('transf')})
    for i in range(depth):
        p = f'transformer.layers.{i}.'
        q, k, v = linear(norm(x, p + '0.fn.norm'),
                         p + '0.fn.fn.to_qkv').chunk(3, -1)
        q, k, v = (t.reshape(b, -1, heads, dim // heads).transpose(1, 2)
                   for t in (q, k, v))
        attn = (q @ k.transpose(-1, -2) * dim ** -0.5).softmax(-1)
        out = (attn @ v).transpose(1, 2).reshape(b, -1, dim)
        x = x + linear(out, p + '0.fn.fn.to_out.0')
        hidden = F.gelu(linear(norm(x, p + '1.fn.norm'), p + '1.fn.fn.net.0'))
        x = x + linear(hidden, p + '1.fn.fn.net.3')
    return norm(x[:, 0], 'mlp_head.0')


def mmforget_face_model(depth, dim, heads, mlp, patch, img, classes,
                        **backbone):
    model = MODELS.build(dict(
        type='ImageClassifier',
        backbone=dict(type='FaceTransformer', depth=depth, embed_dims=dim,
                      num_heads=heads, feedforward_channels=mlp,
                      img_size=img, patch_size=patch, **backbone),
        head=dict(type='MarginCosineHead', num_classes=classes,
                  in_channels=dim)))
    return model.eval()


def embedding(model, images):
    with torch.no_grad():
        return model.backbone(images)[0]


def max_difference(a, b):
    return float((a - b).abs().max())


def test_converted_weights_give_the_papers_embeddings_and_logits():
    state = official_state(**SMALL)
    images = torch.rand(3, 3, SMALL['img'], SMALL['img'])
    expected = official_embedding(state, images, SMALL['heads'],
                                  SMALL['patch'])
    model = mmforget_face_model(**SMALL)
    model.load_state_dict(converter.convert_face_transformer(state),
                          strict=True)
    assert max_difference(embedding(model, images), expected) <= 1e-4
    cosface = 64 * F.normalize(expected) @ F.normalize(state['loss.weight']).T
    with torch.no_grad():
        logits = model.head((embedding(model, images), ))
    assert max_difference(logits, cosface) <= 1e-3


def test_mmpretrains_attention_scale_is_a_different_function():
    """The check above can fail: the same weights with mmpretrain's
    head_dims ** -0.5 attention are far from the papers' embeddings, and
    folding the scale into the query rows brings them back."""
    state = official_state(**SMALL)
    images = torch.rand(3, 3, SMALL['img'], SMALL['img'])
    expected = official_embedding(state, images, SMALL['heads'],
                                  SMALL['patch'])
    sharper = mmforget_face_model(**SMALL, attn_scale='head_dims')
    sharper.load_state_dict(converter.convert_face_transformer(state))
    assert max_difference(embedding(sharper, images), expected) > 1e-2
    folded = converter.convert_face_transformer(
        state, attn_scale='head_dims', num_heads=SMALL['heads'])
    sharper.load_state_dict(folded)
    assert max_difference(embedding(sharper, images), expected) <= 1e-4


def test_face_transformer_defaults_are_the_papers():
    backbone = mmforget_face_model(**PAPERS).backbone
    assert backbone.attn_scale == pytest.approx(512 ** -0.5)
    norms = [m for m in backbone.modules() if isinstance(m, torch.nn.LayerNorm)]
    assert len(norms) == 13 and all(m.eps == 1e-5 for m in norms)
    mmpretrain_like = mmforget_face_model(**PAPERS, attn_scale='head_dims',
                                          norm_eps=1e-6).backbone
    assert mmpretrain_like.attn_scale == pytest.approx(64 ** -0.5)
    assert mmpretrain_like.ln1.eps == 1e-6
    with pytest.raises(ValueError, match='attn_scale'):
        mmforget_face_model(**SMALL, attn_scale='dims')


def test_forgetting_checkpoints_drop_the_merged_adapters():
    """Official forgetting checkpoints: ``module.`` keys, and loralib's
    lora_A / lora_B already merged into the weights (saved in eval mode)."""
    state = official_state(**SMALL, lora_rank=8)
    images = torch.rand(2, 3, SMALL['img'], SMALL['img'])
    wrapped = {'module.' + k: v for k, v in state.items()}
    model = mmforget_face_model(**SMALL)
    model.load_state_dict(converter.convert_face_transformer(wrapped),
                          strict=True)
    merged = official_embedding(state, images, SMALL['heads'], SMALL['patch'])
    assert max_difference(embedding(model, images), merged) <= 1e-4

    model.load_state_dict(converter.convert_face_transformer(
        wrapped, lora='unmerged'), strict=True)
    unmerged = official_embedding(state, images, SMALL['heads'],
                                  SMALL['patch'], add_lora=True)
    assert max_difference(merged, unmerged) > 1e-2
    assert max_difference(embedding(model, images), unmerged) <= 1e-4


def test_foreign_keys_and_softmax_heads_are_refused():
    state = official_state(**SMALL)
    with pytest.raises(ValueError, match='not in the Face Transformer'):
        converter.convert_face_transformer(dict(state, **{
            'transformer.layers.0.2.fn.weight': torch.zeros(1)}))
    with pytest.raises(ValueError, match='Softmax head'):
        converter.convert_face_transformer(dict(state, **{
            'loss.bias': torch.zeros(SMALL['classes'])}))


def test_converted_released_weights_load_into_the_forgetting_config(
        tmp_path):
    """The tool on a full-size checkpoint in the released layout; the
    CASIA-100 GS-LoRA config loads the result strictly and embeds faces as
    the authors' model does."""
    state = official_state(**PAPERS)
    src = tmp_path / 'Backbone_VIT_Epoch_1185.pth'
    dst = tmp_path / 'face-transformer_casia100.pth'
    torch.save(state, src)
    code, log = run_cli(['tools/model_converters/gs_lora_face2mmforget.py',
                         str(src), str(dst)])
    assert code == 0, log[-2000:]
    assert 'converted 73 tensors (6 blocks)' in log

    cfg = Config.fromfile(osp.join(
        REPO_ROOT,
        'configs/gs_lora/gs-lora_face-transformer_casia100_continual.py'))
    cfg.model.pretrained = str(dst)
    model = MODELS.build(cfg.model)
    model.init_weights()  # loads the checkpoint strictly
    model.eval()
    images = torch.rand(2, 3, 112, 112)
    expected = official_embedding(state, images, 8, 8)
    assert max_difference(embedding(model, images), expected) <= 1e-4

    # A second run does not overwrite what the first wrote.
    before = dst.stat().st_mtime_ns
    code, log = run_cli(['tools/model_converters/gs_lora_face2mmforget.py',
                         str(src), str(dst)])
    assert code != 0 and '--force' in log
    assert dst.stat().st_mtime_ns == before


def test_later_tasks_lora_init_follows_the_official_code_when_asked():
    """kaiming_uniform(a) draws A within gain * sqrt(3 / fan_in), gain =
    sqrt(2 / (1 + a^2)): a = sqrt(50) makes A about 2.9x smaller."""
    def bound(a, fan_in=512):
        return math.sqrt(2 / (1 + a * a)) * math.sqrt(3 / fan_in)

    def largest_a(model):
        return max(float(m.lora_A.detach().abs().max())
                   for group in model.lora_groups.values() for m in group)

    cfg = Config.fromfile(osp.join(
        REPO_ROOT,
        'configs/gs_lora/gs-lora_face-transformer_casia100_continual.py'))
    cfg.model.pretrained = None
    cfg.model.backbone.depth = 1
    default = MODELS.build(cfg.model)
    cfg.model.lora.later_tasks_init_a = math.sqrt(50)
    official = MODELS.build(cfg.model)
    for model in (default, official):
        model.start_task(0)
        assert bound(math.sqrt(50)) < largest_a(model) <= bound(math.sqrt(5))
    default.start_task(1)
    official.start_task(1)
    assert bound(math.sqrt(50)) < largest_a(default) <= bound(math.sqrt(5))
    assert largest_a(official) <= bound(math.sqrt(50))
    assert all(not m.lora_B.any() for g in official.lora_groups.values()
               for m in g)
