"""EU-k and CF-k: only the last k blocks, the final norm and the head move;
EU-k's start there is the model's own fresh initialisation from the task
seed; no forget sample is ever read."""
import copy
import itertools
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import MODELS, DefaultScope
from torch.utils.data import DataLoader

import mmforget  # noqa: F401
from method_helpers import (attach, build_classifier, digits_model_cfg,
                            fake_context, preprocess, random_batch)
from mmforget.datasets import (DigitsDataset, ForgetRetainDataset,
                               forget_retain_collate)
from mmforget.methods.last_blocks import CFk, EUk
from mmforget.registry import METHODS

FORGET = (8, 9)
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
METHOD_TYPES = ('mmforget.EUk', 'mmforget.CFk')


def top_prefixes(k, num_blocks=4):
    """By hand: the digits ViT's last k blocks, its final norm (ln1; no
    ln2 with a CLS-token output) and its head (it has no neck)."""
    return tuple(f'backbone.layers.{i}.'
                 for i in range(num_blocks - k, num_blocks)) + (
                     'backbone.ln1.', 'head.')


def snapshot(model):
    return {n: t.detach().clone() for n, t in model.state_dict().items()}


def fresh_reference(seed):
    """What the run's model config gives, initialised from ``seed``."""
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        fresh = MODELS.build(digits_model_cfg())
    fresh.init_weights()
    return fresh.state_dict()


@pytest.mark.parametrize('k', [1, 2])
def test_eu_k_reinitialises_exactly_the_top_from_the_task_seed(k):
    model = build_classifier(seed=5)  # the "trained" weights
    before = snapshot(model)
    context = fake_context(forget=FORGET, run_seed=7)
    torch.manual_seed(123)
    attach(model, dict(type='mmforget.EUk', k=k), context)
    # The global random stream is the one it would be without EU-k.
    drawn = torch.rand(3)
    torch.manual_seed(123)
    assert torch.equal(drawn, torch.rand(3))

    fresh = fresh_reference(context.task_seed)
    prefixes = top_prefixes(k)
    after = model.state_dict()
    assert sum(n.startswith(prefixes) for n in after) == 12 * k + 4
    for name, tensor in after.items():
        if name.startswith(prefixes):
            assert torch.equal(tensor, fresh[name]), name
        else:
            assert torch.equal(tensor, before[name]), name
    # The reset did something: the random head and every top matrix moved.
    for name in after:
        if name.startswith(prefixes) and after[name].dim() == 2:
            assert not torch.equal(after[name], before[name]), name


def test_eu_k_draws_its_start_from_the_task_seed_alone():
    tops = []
    for model_seed, run_seed in ((1, 7), (2, 7), (1, 8)):
        model = build_classifier(seed=model_seed)
        torch.manual_seed(model_seed)  # other global draws: no effect
        attach(model, dict(type='mmforget.EUk', k=1),
               fake_context(forget=FORGET, run_seed=run_seed))
        tops.append(model.backbone.layers[3].attn.qkv.weight.detach())
    assert torch.equal(tops[0], tops[1])
    assert not torch.equal(tops[0], tops[2])


def test_cf_k_starts_from_the_trained_weights():
    model = build_classifier(seed=5)
    before = snapshot(model)
    attach(model, dict(type='mmforget.CFk', k=2), fake_context(forget=FORGET))
    after = model.state_dict()
    assert all(torch.equal(after[n], t) for n, t in before.items())


@pytest.mark.parametrize('method_type', METHOD_TYPES)
@pytest.mark.parametrize('k', [1, 4])
def test_exactly_the_top_trains(method_type, k):
    model = build_classifier()
    method, _ = attach(model, dict(type=method_type, k=k),
                       fake_context(forget=FORGET))
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    expected = {n for n, _ in model.named_parameters()
                if n.startswith(top_prefixes(k))}
    assert trainable == expected
    assert len(expected) == 12 * k + 4
    assert {n for n, _ in model.named_parameters()
            if method.is_trainable(n)} == expected
    # The input side never trains, even with every block in the top.
    for name in ('backbone.cls_token', 'backbone.pos_embed',
                 'backbone.patch_embed.projection.weight'):
        assert name not in trainable


@pytest.mark.parametrize('method_type', METHOD_TYPES)
@pytest.mark.parametrize('k', [0, -1, 5, 1.5, True, '2'])
def test_a_bad_k_is_refused_before_anything_changes(method_type, k):
    model = build_classifier()
    before = snapshot(model)
    with pytest.raises(ValueError,
                       match='set train_cfg.method.k to an integer from 1 '
                             'to 4'):
        attach(model, dict(type=method_type, k=k),
               fake_context(forget=FORGET))
    after = model.state_dict()
    assert all(torch.equal(after[n], t) for n, t in before.items())


@pytest.mark.parametrize('method_class', [EUk, CFk])
def test_models_it_cannot_cut_are_refused(method_class):
    method = method_class(k=1)
    with pytest.raises(TypeError, match='classifier'):
        method.check_model(torch.nn.Linear(2, 2))
    model = build_classifier()
    model.backbone.layers = None
    with pytest.raises(TypeError, match='backbone.layers'):
        method.check_model(model)
    with pytest.raises(TypeError, match='model.lora=None'):
        method.check_model(build_classifier(lora=dict(rank=2)))
    with pytest.raises(RuntimeError, match='check_model'):
        method_class(k=1).is_trainable('head.layers.head.weight')
    # A detector's `keep` given to a classifier is refused, not ignored.
    with pytest.raises(ValueError, match='remove train_cfg.method.keep'):
        method_class(k=1, keep=('backbone', )).check_model(build_classifier())


class RecordingDataset:
    """Passes items through and records the label of every one read."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.read_labels = []

    def __getitem__(self, index):
        item = self.dataset[index]
        self.read_labels.append(int(item['data_samples'].gt_label))
        return item


@pytest.fixture(scope='module')
def digits_train():
    # Scoped by name: an earlier test may have left mmdet as the default.
    return DigitsDataset(split='train',
                         pipeline=[dict(type='mmpretrain.PackInputs')])


@pytest.mark.parametrize('method_type', METHOD_TYPES)
def test_a_short_run_reads_and_trains_on_no_forget_sample(method_type,
                                                          digits_train):
    model = build_classifier()
    method, _ = attach(model, dict(type=method_type, k=1),
                       fake_context(forget=FORGET))
    assert method.uses_forget_data is False
    dataset = ForgetRetainDataset(
        digits_train, schedule=dict(tasks=[[str(c) for c in FORGET]]))
    dataset.read_for(method.uses_forget_data, {})  # as the loop does
    recording = RecordingDataset(dataset.dataset)
    dataset.dataset = recording
    loss_labels = []
    head_loss = model.head.loss

    def recorded_head_loss(feats, data_samples, **kwargs):
        for sample in data_samples:
            assert not sample.metainfo['forget']
            loss_labels.append(int(sample.gt_label))
        return head_loss(feats, data_samples, **kwargs)

    model.head.loss = recorded_head_loss
    before = snapshot(model)
    optim_wrapper = OptimWrapper(torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=1e-2))
    loader = DataLoader(dataset, batch_size=16, shuffle=True,
                        collate_fn=forget_retain_collate,
                        generator=torch.Generator().manual_seed(0))
    model.train()
    for data in itertools.islice(loader, 2):
        losses = method.train_step(model, data, optim_wrapper)
        assert torch.isfinite(losses['loss'])

    assert len(recording.read_labels) == len(loss_labels) == 32
    assert not set(recording.read_labels) & set(FORGET)
    assert not set(loss_labels) & set(FORGET)
    after = model.state_dict()
    for name, tensor in after.items():
        if name.startswith(top_prefixes(1)):
            assert not torch.equal(tensor, before[name]), name
        else:
            assert torch.equal(tensor, before[name]), name
    # A forget sample handed to it by mistake is refused, not trained on.
    data = preprocess(model, random_batch([False, True], [0, 8]))
    with pytest.raises(RuntimeError, match='forget samples'):
        method.loss(model, data['inputs'], data['data_samples'])


def test_the_registry_and_the_configs_build_them():
    for method_type, cls, name in (('mmforget.EUk', EUk, 'EU-k'),
                                   ('mmforget.CFk', CFk, 'CF-k')):
        method = METHODS.build(dict(type=method_type, k=3))
        assert isinstance(method, cls)
        assert (method.name, method.k) == (name, 3)
        assert method.model_kinds == ('classifier', 'detector')
    for data in ('deformable-detr-tiny_shapes', 'dino-tiny_shapes'):
        cfg = Config.fromfile(osp.join(
            REPO_ROOT, 'configs', 'eu_k', f'eu-k_{data}_continual.py'))
        method = METHODS.build(cfg.train_cfg.method)
        assert isinstance(method, EUk) and method.k == 6
        assert cfg.model.aux_loss and cfg.model_wrapper_cfg[
            'find_unused_parameters']
        # The frozen backbone's batch norms keep the original's statistics.
        assert cfg.model.backbone.norm_eval
    for folder, prefix, cls in (('eu_k', 'eu-k', EUk),
                                ('cf_k', 'cf-k', CFk)):
        for data, num_blocks in (('vit-tiny_digits', 4),
                                 ('vit-6b_numbers', 6)):
            cfg = Config.fromfile(osp.join(
                REPO_ROOT, 'configs', folder,
                f'{prefix}_{data}_continual.py'))
            method = METHODS.build(cfg.train_cfg.method)
            assert isinstance(method, cls)
            assert 1 <= method.k < num_blocks
            assert cfg.train_cfg.max_epochs > 0
            # Most weights are frozen: a distributed run must not expect
            # their gradients.
            assert cfg.model_wrapper_cfg.find_unused_parameters


# ------------------------------------------------------------ detectors
DETECTOR_FEATURES = ('backbone.', 'neck.', 'encoder.', 'level_embed')


def detector_and_config():
    """The tiny shapes Deformable DETR without adapters, random weights,
    and the model config EU-k rebuilds it from."""
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/eu_k/eu-k_deformable-detr-tiny_shapes_continual.py'))
    model_cfg = cfg.model.to_dict()
    model_cfg['pretrained'] = None
    torch.manual_seed(5)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    return model, model_cfg


def test_eu_k_on_a_detector_resets_the_decoder_side_and_freezes_the_rest():
    model, model_cfg = detector_and_config()
    with torch.no_grad():  # "trained" weights: away from any init
        for param in model.parameters():
            param.add_(0.5)
    before = snapshot(model)
    context = fake_context(model_cfg=model_cfg, num_classes=5, forget=(4, ),
                           run_seed=3)
    with DefaultScope.overwrite_default_scope('mmdet'):
        attach(model, dict(type='mmforget.EUk', k=6), context)
        torch.manual_seed(context.task_seed)
        fresh = MODELS.build(copy.deepcopy(model_cfg))
    fresh.init_weights()
    fresh = fresh.state_dict()
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    names = {n for n, _ in model.named_parameters()}
    # By hand: the decoder side of a Deformable DETR without box refine.
    top = {n for n in names if n.startswith(
        ('decoder.layers.', 'query_embedding.', 'reference_points_fc.',
         'bbox_head.'))}
    assert trainable == top == names - {
        n for n in names if n.startswith(DETECTOR_FEATURES)}
    assert any(n.startswith('decoder.layers.5.') for n in top)
    after = model.state_dict()
    for name, tensor in after.items():
        if name in top:
            assert torch.equal(tensor, fresh[name]), name
            assert not torch.equal(tensor, before[name]), name
        elif name in names:  # the image features: the original's
            assert torch.equal(tensor, before[name]), name


@pytest.mark.parametrize('k', [1, 5])
def test_part_of_a_detector_decoder_is_refused(k):
    model, model_cfg = detector_and_config()
    before = snapshot(model)
    with pytest.raises(ValueError, match='set train_cfg.method.k to 6'):
        attach(model, dict(type='mmforget.EUk', k=k),
               fake_context(model_cfg=model_cfg, num_classes=5,
                            forget=(4, )))
    after = model.state_dict()
    assert all(torch.equal(after[n], t) for n, t in before.items())


def test_eu_k_on_a_detector_resets_the_encoder_too_unless_kept():
    model, model_cfg = detector_and_config()
    context = fake_context(model_cfg=model_cfg, num_classes=5, forget=(4, ))
    with DefaultScope.overwrite_default_scope('mmdet'):
        attach(model, dict(type='mmforget.EUk', k=6,
                           keep=('backbone', 'neck')), context)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    frozen = {n for n, _ in model.named_parameters()} - trainable
    assert frozen and all(n.startswith(('backbone.', 'neck.'))
                          for n in frozen)
    assert 'level_embed' in trainable
    assert any(n.startswith('encoder.layers.5.') for n in trainable)
    with pytest.raises(ValueError, match='set train_cfg.method.keep'):
        attach(model, dict(type='mmforget.EUk', k=6, keep=('head', )),
               context)
