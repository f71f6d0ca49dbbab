"""GS-LoRA++: the prototype loss by hand, and prototypes from loaded weights."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import MODELS
from mmengine.runner import Runner
from torch.utils.data import DataLoader, Subset

from conftest import REPO_ROOT
from mmforget.models import PrototypeLoss, prototype_kl
from mmforget.models.pretrained_loading import checkpoint_state_dict

# softmax([0, ln 3]) = [1/4, 3/4]; softmax([0, 0]) = [1/2, 1/2]
Z = torch.tensor([[0.0, math.log(3.0)]])
P = torch.zeros(1, 2)
KL = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)


def test_kl_over_embedding_dimensions_by_hand():
    assert float(prototype_kl(Z, P)) == pytest.approx(KL, rel=1e-6)
    q = torch.softmax(Z / 2, dim=-1)[0]
    expected = sum(0.5 * math.log(0.5 / float(v)) for v in q)
    assert float(prototype_kl(Z, P, temperature=2.0)) == pytest.approx(
        expected, rel=1e-5)  # float32


def test_forget_term_is_bounded_and_retain_term_pulls():
    loss = PrototypeLoss(bound=1.0, forget_weight=2.0, retain_weight=0.5)
    embeddings = torch.cat([Z, Z])
    labels = torch.tensor([0, 0])
    value = loss(embeddings, labels, torch.tensor([True, False]), P)
    assert float(value) == pytest.approx(2.0 * (1 - KL) + 0.5 * KL)
    far = PrototypeLoss(bound=0.1, forget_weight=2.0, retain_weight=0.0)
    assert float(far(Z, torch.tensor([0]), torch.tensor([True]), P)) == 0.0


def test_per_task_forget_weights():
    loss = PrototypeLoss(bound=1.0, forget_weight=[0.0, 1.0])
    assert float(loss(Z, torch.tensor([0]), torch.tensor([True]), P)) == 0.0
    loss.task = 1
    assert float(loss(Z, torch.tensor([0]), torch.tensor([True]), P)) == \
        pytest.approx(1 - KL)


def test_prototypes_come_from_the_loaded_checkpoint(tmp_path, pretrained):
    cfg = Config.fromfile(osp.join(
        REPO_ROOT,
        'configs/gs_lora_plus/gs-lora-plus_vit-tiny_digits_continual.py'))
    cfg.work_dir = str(tmp_path)
    cfg.model.pretrained = pretrained
    cfg.train_dataloader.dataset.schedule.num_tasks = 1
    cfg.train_dataloader.dataset.data_ratio = 0.2
    cfg.train_cfg.max_epochs = 1
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    dataset = runner.train_loop.dataset

    plain_cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/pretrain/vit-tiny_digits.py'))
    # As the Runner does: the top-level data_preprocessor goes in the model.
    plain_cfg.model.data_preprocessor = plain_cfg.data_preprocessor
    plain = MODELS.build(plain_cfg.model)
    plain.load_state_dict(checkpoint_state_dict(pretrained), strict=True)
    plain.eval()
    loader = DataLoader(Subset(dataset.dataset,
                               dataset.task_indices().tolist()),
                        batch_size=64, collate_fn=pseudo_collate)
    sums, counts = torch.zeros(10, 64), torch.zeros(10)
    with torch.no_grad():
        for data in loader:
            data = plain.data_preprocessor(data, False)
            emb = plain.head.pre_logits(plain.extract_feat(data['inputs']))
            labels = torch.cat([s.gt_label for s in data['data_samples']])
            sums.index_add_(0, labels, emb)
            counts.index_add_(0, labels, torch.ones(len(labels)))
    expected = sums / counts.clamp(min=1).unsqueeze(1)
    torch.testing.assert_close(runner.train_loop.method.prototypes,
                               expected, atol=1e-5, rtol=0)
