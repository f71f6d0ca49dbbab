"""Face recognition: the Face Transformer, CosFace, and the CASIA-100 configs."""
import glob
import json
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS
from mmengine.runner import Runner
from mmpretrain.structures import DataSample
from PIL import Image

from conftest import REPO_ROOT
from mmforget.models import FaceTransformer, MarginCosineHead


def test_face_transformer_has_the_papers_shape_and_size():
    backbone = FaceTransformer()
    head = MarginCosineHead(num_classes=100, in_channels=512)
    params = sum(p.numel() for m in (backbone, head) for p in m.parameters())
    assert params == 19_157_504  # the papers' count
    assert len(backbone.layers) == 6
    assert backbone.patch_embed.projection.kernel_size == (8, 8)
    assert tuple(backbone.patch_resolution) == (14, 14)  # 196 patches
    backbone.eval()
    with torch.no_grad():
        (embedding, ) = backbone(torch.randn(2, 3, 112, 112))
    assert embedding.shape == (2, 512)
    # LayerNorm of the CLS token: zero mean, unit variance per face.
    torch.testing.assert_close(embedding.mean(1), torch.zeros(2),
                               atol=1e-4, rtol=0)
    assert len(FaceTransformer(depth=12).layers) == 12


def test_cosface_and_arcface_margins():
    head = MarginCosineHead(num_classes=3, in_channels=2, scale=64.0,
                            margin=0.35)
    with torch.no_grad():
        head.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0]]))
    feats = (torch.tensor([[3.0, 4.0]]), )  # cos = 0.6, 0.8, -0.6
    torch.testing.assert_close(head(feats),
                               64 * torch.tensor([[0.6, 0.8, -0.6]]))
    torch.testing.assert_close(
        head.margin_logits(feats, torch.tensor([1])),
        64 * torch.tensor([[0.6, 0.8 - 0.35, -0.6]]))
    head.margin_type = 'arcface'
    head.margin = 0.5
    arc = head.margin_logits(feats, torch.tensor([1]))[0, 1]
    assert float(arc.detach()) == pytest.approx(
        64 * math.cos(math.acos(0.8) + 0.5), rel=1e-5)


def test_arcface_falls_back_beyond_pi_minus_m_as_the_papers_head():
    """Past theta = pi - m, cos(theta + m) would rise again; the papers'
    head (easy_margin=False) uses cos(theta) - m sin(m) there."""
    head = MarginCosineHead(num_classes=2, in_channels=2, margin=0.5,
                            margin_type='arcface')
    with torch.no_grad():
        head.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    for theta, expected in ((2.9, -1.2107), (1.0, math.cos(1.5))):
        feats = (torch.tensor([[math.cos(theta), math.sin(theta)]]), )
        logit = head.margin_logits(feats, torch.tensor([0]))[0, 0]
        assert float(logit.detach()) == pytest.approx(64 * expected,
                                                      abs=64 * 1e-4)


def test_margin_at_test_is_the_papers_pessimistic_protocol():
    head = MarginCosineHead(num_classes=2, in_channels=2, margin=0.35)
    with torch.no_grad():
        head.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    feats = (torch.tensor([[0.6, 0.8]]), )  # true class 1 wins by 0.2 < m
    sample = [DataSample().set_gt_label(1)]
    assert int(head.predict(feats, sample)[0].pred_label) == 1
    head.margin_at_test = True
    sample = [DataSample().set_gt_label(1)]
    assert int(head.predict(feats, sample)[0].pred_label) == 0


FACE_CONFIGS = sorted(glob.glob(osp.join(REPO_ROOT, 'configs', '*',
                                         '*casia100*.py')))


def test_every_casia100_setting_has_a_config():
    names = {osp.basename(c) for c in FACE_CONFIGS}
    for setting in ('pretrain', 'single-step-100-5', 'single-step-100-10',
                    'single-step-100-50', 'single-step-100-90', 'continual',
                    'continual-4shot', 'continual-missing5'):
        assert any(n.endswith(f'_{setting}.py') for n in names), setting


@pytest.mark.parametrize('config', FACE_CONFIGS,
                         ids=[osp.basename(c) for c in FACE_CONFIGS])
def test_casia100_config_builds(config):
    cfg = Config.fromfile(config)
    if 'pretrained' in cfg.model:
        cfg.model.pretrained = None
    model = MODELS.build(cfg.model)
    assert model.head.num_classes == 100
    if cfg.model.get('lora'):
        assert len(model.lora_groups) == 6
        assert model.trainable_param_count == 245_760  # papers: 1.28%


def make_identity_folders(root, identities=10, train=6, test=3):
    """Faces stand-ins: one colour pattern per identity, with noise."""
    rng = np.random.default_rng(0)
    for i in range(identities):
        base = rng.integers(0, 255, (4, 4, 3))
        for split, count in (('train', train), ('test', test)):
            folder = root / split / f'id_{i:03d}'
            folder.mkdir(parents=True)
            for j in range(count):
                img = np.kron(base, np.ones((28, 28, 1))) + rng.normal(
                    0, 10, (112, 112, 3))
                Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(
                    folder / f'{j}.png')


def test_continual_face_config_runs_on_generated_identities(tmp_path):
    """... and verifies forgotten identities against never-seen ones on
    the embeddings after every task."""
    make_identity_folders(tmp_path / 'casia')
    make_identity_folders(tmp_path / 'unseen', identities=4, train=0)
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/gs_lora_plus/'
        'gs-lora-plus_face-transformer_casia100_continual-4shot.py'))
    never_seen = dict(cfg.test_dataloader.dataset,
                      data_root=str(tmp_path / 'unseen'))
    cfg.merge_from_dict({
        'train_cfg.evaluation': dict(
            never_seen=never_seen,
            checks=[dict(type='mmforget.FaceVerification',
                         gallery_size=1)]),
        'work_dir': str(tmp_path / 'run'),
        'log_level': 'WARNING',
        'model.pretrained': None,
        'model.backbone.depth': 1,
        'model.head.num_classes': 10,
        'model.data_preprocessor.num_classes': 10,
        'train_dataloader.num_workers': 0,
        'train_dataloader.dataset.dataset.data_root': str(tmp_path / 'casia'),
        'train_dataloader.dataset.schedule.num_tasks': 2,
        'train_dataloader.dataset.schedule.first_num_classes': 8,
        'train_dataloader.dataset.schedule.forget_per_task': 2,
        'test_dataloader.num_workers': 0,
        'test_dataloader.dataset.data_root': str(tmp_path / 'casia'),
        'train_cfg.max_epochs': 2,
    })
    runner = Runner.from_cfg(cfg)
    runner.train()
    summary = runner.train_loop.dataset.schedule
    assert len(summary) == 2
    assert osp.isfile(tmp_path / 'run' / 'task_1.pth')
    assert runner.train_loop.method.prototypes.shape == (10, 512)
    tasks = json.load(open(tmp_path / 'run' / 'forgetting_summary.json'))[
        'tasks']
    for task in tasks:  # 2 (then 4) forgotten and 4 never-seen identities
        checks = task['checks']['U']
        for group in ('forgotten', 'never_seen'):
            assert 0 <= checks[f'verify_{group}_rank1'] <= 100
        assert checks['verify_never_seen_tar@0.001'] is None
    # The summary plot's checks panel shows the verification numbers.
    from PIL import Image
    assert Image.open(tmp_path / 'run' /
                      'forgetting_summary.png').size[0] == 1650
