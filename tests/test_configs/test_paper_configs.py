"""The paper-scale configs parse, build and take one training step.

They cannot run here (no ImageNet100, no weights), so the backbone is built
with random weights and the step runs on a random batch.
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS
from mmpretrain.structures import DataSample

from conftest import REPO_ROOT
from mmforget.methods import Retrain, TaskContext
from mmforget.registry import METHODS


def random_batch(num_classes, forget_classes, size, channels=3, pairs=2):
    inputs, samples = [], []
    for forget in [False] * pairs + [True] * pairs:
        label = forget_classes[0] if forget else (
            next(c for c in range(num_classes) if c not in forget_classes))
        inputs.append(torch.randint(0, 255, (channels, size, size),
                                    dtype=torch.uint8))
        sample = DataSample().set_gt_label(label)
        sample.set_metainfo(dict(forget=forget))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def test_imagenet100_vit_b16_config_builds_and_steps():
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/gs_lora/gs-lora_vit-b16_imagenet100_continual.py'))
    assert cfg.train_dataloader.dataset.schedule == dict(
        num_tasks=4, first_num_classes=80, forget_per_task=20,
        order_seed=1337)
    assert cfg.train_dataloader.dataset.data_ratio == 0.05
    cfg.model.pretrained = None
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert len(model.lora_groups) == 12
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable == 12 * (8 * 768 + 3072 * 8 + 8 * 3072 + 768 * 8)
    assert trainable / model.base_param_count < 0.01  # papers: 0.86%

    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    model.attach_method(METHODS.build(cfg.train_cfg.method))
    model.start_task(0)
    before = {n: p.clone() for n, p in model.named_parameters()}
    log_vars = model.train_step(random_batch(100, [5], 224), optim_wrapper)
    assert {'loss_retain', 'loss_forget'} <= set(log_vars)
    changed = {n for n, p in model.named_parameters()
               if not torch.equal(p, before[n])}
    assert changed and all('.lora_' in n for n in changed)


def test_coco_deformable_detr_configs_build_and_step():
    """R50 Deformable DETR on COCO: 7 x 10 classes (numpy seed 123), rank 8,
    alpha 3e-4, BND 15, per-task beta, lr 3e-4, 30 epochs; one loss step."""
    from mmdet.datasets import CocoDataset
    from mmdet.testing import demo_mm_inputs
    from mmengine.registry import DefaultScope

    from mmforget.datasets import ForgettingSchedule, shuffled_class_order
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/gs_lora/'
        'gs-lora_deformable-detr_r50_coco_continual.py'))
    schedule = ForgettingSchedule(CocoDataset.METAINFO['classes'],
                                  **cfg.train_dataloader.dataset.schedule)
    order = shuffled_class_order(80, 123, 'numpy')
    assert len(schedule) == 7
    assert schedule[0].forget == order[70:80] and len(schedule[0].retain) == 70
    assert schedule[6].forget == order[10:20] and len(schedule[6].old) == 60
    assert schedule[6].retain == order[:10]
    assert cfg.train_cfg.method.forget_loss.bound == 15.0
    assert cfg.train_cfg.method.forget_loss.loss_weight == [
        0.15, 0.15, 0.35, 0.6, 0.15, 0.2, 0.2]
    assert cfg.optim_wrapper.alpha == 3e-4
    assert cfg.optim_wrapper.optimizer.lr == 3e-4
    assert cfg.train_cfg.max_epochs == 30
    single = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/gs_lora/'
        'gs-lora_deformable-detr_r50_coco_single-step-80-10.py'))
    single_schedule = ForgettingSchedule(
        CocoDataset.METAINFO['classes'],
        **single.train_dataloader.dataset.schedule)
    assert len(single_schedule) == 1
    assert single_schedule[0].forget == order[70:80]

    cfg.model.pretrained = None
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
        model.init_weights()
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert len(model.lora_groups) == 12
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable == 245760  # the papers' count
    packed = demo_mm_inputs(2, [[3, 64, 64]] * 2, num_classes=80)
    packed['data_samples'][1].set_metainfo(dict(forget=True))
    model.attach_method(METHODS.build(cfg.train_cfg.method))
    model.start_task(0)
    before = {n: p.clone() for n, p in model.named_parameters()}
    log_vars = model.train_step(packed, optim_wrapper)
    assert {'loss_forget', 'loss_forget_box', 'retain.loss_cls'} <= set(
        log_vars)
    changed = {n for n, p in model.named_parameters()
               if not torch.equal(p, before[n])}
    assert changed and all('.lora_' in n for n in changed)


BASELINE_PAPER_CONFIGS = sorted(
    c for pattern in ('*_face-transformer_casia100_continual.py',
                      '*_vit-b16_imagenet100_continual.py')
    for c in glob.glob(osp.join(REPO_ROOT, 'configs', '*', pattern))
    if '/gs_lora' not in c)


def test_every_method_has_face_and_imagenet100_configs():
    names = {osp.basename(c) for c in BASELINE_PAPER_CONFIGS}
    for method in ('retrain', 'l2', 'ewc', 'mas', 'lwf', 'der', 'derpp',
                   'fdr', 'scrub', 'scrub-s'):
        for data in ('face-transformer_casia100', 'vit-b16_imagenet100'):
            assert f'{method}_{data}_continual.py' in names


@pytest.mark.parametrize('config', BASELINE_PAPER_CONFIGS,
                         ids=[osp.basename(c) for c in BASELINE_PAPER_CONFIGS])
def test_baseline_paper_config_builds_and_steps(config):
    """The papers' baseline hyper-parameters on the papers' models: built
    with random weights, one step on a random batch; only the documented
    parameters change. The backbones keep 2 of their blocks (what trains
    is chosen per block kind, not per depth; the full ViT-B/16 builds and
    steps in the GS-LoRA test above)."""
    from mmforget.datasets import ForgettingSchedule
    cfg = Config.fromfile(config)
    face = 'casia100' in config
    cfg.model.pretrained = None
    if face:
        cfg.model.backbone.depth = 2
    else:
        assert cfg.model.backbone.arch == 'b'
        cfg.model.backbone.arch = dict(embed_dims=768, num_layers=2,
                                       num_heads=12, feedforward_channels=3072)
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert not model.lora_groups
    method = METHODS.build(cfg.train_cfg.method)
    # Retrain and the methods built on it (UNDO) train every weight on
    # retain samples only.
    retrain = isinstance(method, Retrain)
    batch = random_batch(100, [5], 112 if face else 224, pairs=1)
    if retrain:  # Retrain never sees a forget sample
        batch['data_samples'][1].set_metainfo(dict(forget=False))
    schedule = ForgettingSchedule([str(c) for c in range(100)],
                                  **cfg.train_dataloader.dataset.schedule)
    loop = TaskContext(
        task_index=0, schedule=schedule, max_epochs=1, run_seed=0,
        model_cfg=cfg.model, has_val_split=False,
        data_loader=lambda split='all', batch_size=None, task_index=None: [
            batch], evaluate=None, load_released_task=None)
    model.attach_method(method)
    method.before_tasks(model, loop)
    method.start_task(model, loop)
    method.set_trainable(model)
    method.before_epoch(0)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    before = {n: p.clone() for n, p in model.named_parameters()}
    method.train_step(model, batch, optim_wrapper)
    changed = {n for n, p in model.named_parameters()
               if not torch.equal(p, before[n])}
    assert changed and changed <= trainable
    assert retrain or not any(n.startswith('head.') for n in trainable)
