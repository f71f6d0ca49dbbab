"""The depth checks on known answers: probes at every block read a class
where the blocks carry it and not where they erased it; a nonlinear probe
reads a class no linear one can; relearning trains only what its mode
names, and the retain-only mode never sees a forgotten image."""
import numpy as np
import pytest
import torch
from mmpretrain.models import VisionTransformer
from mmpretrain.structures import DataSample
from torch import nn

from method_helpers import build_classifier
from mmforget.evaluation.checks import (BlockProbes, LinearProbe, MLPProbe,
                                        ModelOutputs, RelearnCurve,
                                        SplitOutputs, block_probe_metrics,
                                        metric_specs)
from mmforget.evaluation.checks.block_probes import (DECLARED_BLOCKS,
                                                     block_token,
                                                     token_to_read)
from mmforget.evaluation.checks.relearn import (MODES, REPORT_STEPS,
                                              TurnedClasses, turn_tiles)


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Tiny models: starting threads costs more than they save."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class Images(torch.utils.data.Dataset):
    """Images of known labels, as the checks read a dataset; ``read``
    keeps the indices it served."""

    def __init__(self, inputs, labels):
        self.inputs = inputs
        self.labels = np.asarray(labels, dtype=np.int64)
        self.read = set()

    def __len__(self):
        return len(self.labels)

    def get_gt_labels(self):
        return self.labels

    def __getitem__(self, index):
        self.read.add(int(index))
        return dict(inputs=self.inputs[index],
                    data_samples=DataSample().set_gt_label(
                        int(self.labels[index])))


# --- probes at every block ---------------------------------------------

CLASSES, FORGOTTEN = [0, 1, 2], [2]
TOKENS, CHANNELS = 3, 4


def token_images(per_class, seed):
    """(tokens, channels) inputs: channels 0-1 of every token hold the
    class's point on a circle (radius 3) plus noise, channels 2-3 noise."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(CLASSES, per_class)
    angles = 2 * np.pi * labels / len(CLASSES)
    inputs = rng.normal(0, 0.3, (len(labels), TOKENS, CHANNELS))
    inputs[:, :, 0] += 3 * np.cos(angles)[:, None]
    inputs[:, :, 1] += 3 * np.sin(angles)[:, None]
    return Images(torch.tensor(inputs, dtype=torch.float32), labels)


class EraseClassChannels(nn.Module):
    def forward(self, tokens):
        return torch.cat([torch.zeros_like(tokens[..., :2]),
                          tokens[..., 2:]], -1)


class CountCalls(nn.Module):
    calls = 0

    def forward(self, tokens):
        self.calls += 1
        return tokens


class KnownBlocks(nn.Module):
    """A ViT-shaped model whose block 0 passes the class through, block 1
    erases it (only noise is left) and block 2 counts its calls."""

    def __init__(self, with_cls_token=True):
        super().__init__()
        self.backbone = nn.Module()
        self.backbone.layers = nn.ModuleList(
            [nn.Identity(), EraseClassChannels(), CountCalls()])
        self.backbone.cls_token = (nn.Parameter(torch.zeros(1, 1, CHANNELS))
                                   if with_cls_token else None)

    def data_preprocessor(self, batch, training):
        return dict(inputs=torch.stack(batch['inputs']),
                    data_samples=batch['data_samples'])

    def extract_feat(self, inputs):
        for layer in self.backbone.layers:
            inputs = layer(inputs)
        return inputs


def overall_accuracy(results, prefix):
    """Accuracy over all test images (equal counts per class): a probe
    that predicts one class everywhere scores chance, whichever class."""
    n_f, n_r = len(FORGOTTEN), len(CLASSES) - len(FORGOTTEN)
    return (n_f * results[f'{prefix}_acc_f'] +
            n_r * results[f'{prefix}_acc_r']) / (n_f + n_r)


def test_block_probes_read_the_class_where_a_block_carries_it():
    model = KnownBlocks()
    check = BlockProbes(blocks=(0, -2), probes=('linear', 'knn', 'mlp'))
    results = check(model, token_images(40, seed=0),
                    token_images(30, seed=1), FORGOTTEN,
                    [c for c in CLASSES if c not in FORGOTTEN], per_class=40)
    assert results.pop('block_probe_token') == 'cls'
    for probe in ('linear', 'knn', 'mlp'):
        assert results[f'block0_{probe}_acc_f'] >= 95
        assert overall_accuracy(results, f'block0_{probe}') >= 95
        # Block 1 left only noise: chance among 3 classes.
        assert overall_accuracy(results, f'block1_{probe}') <= 55
    # Nothing after the deepest probed block runs.
    assert model.backbone.layers[2].calls == 0
    specs = metric_specs()
    assert set(results) == {f'block{b}_{p}_acc_{s}' for b in (0, 1)
                            for p in ('linear', 'knn', 'mlp')
                            for s in ('f', 'r')}
    assert all(specs[name].direction == ('reference' if name.endswith('_f')
                                         else 'higher') for name in results)


def test_block_probes_read_the_token_the_backbone_outputs():
    tokens = torch.arange(24.0).reshape(2, 3, 4)
    assert torch.equal(block_token(tokens, 'cls'), tokens[:, 0])
    assert torch.equal(block_token(tokens, 'mean'), tokens.mean(1))
    assert torch.equal(block_token(tokens, 'mean', extra_tokens=1),
                       tokens[:, 1:].mean(1))
    assert token_to_read(build_classifier().backbone) == ('cls', 1)
    averaged = VisionTransformer(
        arch=dict(embed_dims=8, num_layers=1, num_heads=2,
                  feedforward_channels=8),
        img_size=4, patch_size=2, in_channels=1, with_cls_token=False,
        out_type='avg_featmap')
    assert token_to_read(averaged) == ('mean', 0)
    results = BlockProbes(blocks=(0,), probes=('knn',))(
        KnownBlocks(with_cls_token=False), token_images(10, seed=0),
        token_images(10, seed=1), FORGOTTEN, [0, 1], per_class=10)
    assert results['block_probe_token'] == 'mean'
    assert results['block0_knn_acc_f'] == 100


def test_block_probe_specs_cover_deeper_models(monkeypatch):
    assert len(block_probe_metrics(2, probes=('linear',))) == 4
    assert f'block{DECLARED_BLOCKS - 1}_mlp_acc_f' in metric_specs()
    monkeypatch.setattr(BlockProbes, 'metrics', dict(BlockProbes.metrics))
    BlockProbes.declare_blocks(DECLARED_BLOCKS + 8)
    assert f'block{DECLARED_BLOCKS + 7}_knn_acc_r' in metric_specs()
    with pytest.raises(ValueError, match='unknown probes'):
        BlockProbes(probes=('svm',))
    with pytest.raises(ValueError, match='not all among'):
        BlockProbes(blocks=(3,))(KnownBlocks(), token_images(2, 0),
                                 token_images(2, 1), FORGOTTEN, [0, 1])


# --- a nonlinear probe -------------------------------------------------

def rings(per_class, seed):
    """Class 0 a disc (radius < 1), class 1 (forgotten) the ring around it
    (radius 2-3): no line separates them."""
    rng = np.random.default_rng(seed)
    radius = np.r_[rng.uniform(0, 1, per_class), rng.uniform(2, 3, per_class)]
    angle = rng.uniform(0, 2 * np.pi, 2 * per_class)
    feats = np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    return feats, np.repeat([0, 1], per_class)


def test_mlp_probe_separates_a_class_a_linear_probe_cannot():
    def split(labels_wanted, seed):
        feats, labels = rings(150, seed)
        keep = np.isin(labels, labels_wanted)
        return SplitOutputs(feats[keep], np.zeros((int(keep.sum()), 0)),
                            labels[keep])
    outputs = ModelOutputs(dict(
        forget_train=split([1], 0), retain_train=split([0], 0),
        forget_test=split([1], 1), retain_test=split([0], 1)), forgotten=[1])
    mlp = MLPProbe()(outputs)
    linear = LinearProbe()(outputs)
    assert mlp['mlp_probe_acc_f'] >= 95 and mlp['mlp_probe_acc_r'] >= 95
    assert (linear['probe_acc_f'] + linear['probe_acc_r']) / 2 <= 70
    assert MLPProbe()(outputs) == mlp  # seeded


# --- relearning --------------------------------------------------------

RELEARN_FORGOTTEN = [8, 9]
RELEARN_RETAINED = list(range(8))


def digit_images(per_class, seed):
    generator = torch.Generator().manual_seed(seed)
    labels = np.repeat(np.arange(10), per_class)
    return Images(torch.randint(0, 255, (len(labels), 1, 8, 8),
                                dtype=torch.uint8, generator=generator),
                  labels)


@pytest.mark.parametrize('mode', ['head', 'full'])
def test_relearning_trains_only_what_its_mode_names(mode):
    model = build_classifier()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    check = RelearnCurve(mode=mode, shots=2, steps=3, retain_batch=4)
    student, curve = check.relearn(
        model, digit_images(4, 0), digit_images(3, 1), RELEARN_FORGOTTEN,
        RELEARN_RETAINED, per_class=3)
    assert [step for step, _ in curve] == [0, 3]
    changed = {k for k, v in student.state_dict().items()
               if not torch.equal(v, before[k])}
    assert all(torch.equal(v, before[k])
               for k, v in model.state_dict().items())
    assert any(k.startswith('head.') for k in changed)
    moved_backbone = any(not k.startswith('head.') for k in changed)
    assert moved_backbone == (mode == 'full')


def test_relearning_on_retain_data_never_reads_a_forgotten_image():
    results = {}
    for mode in ('retain', 'full'):
        train = digit_images(4, 0)
        results[mode] = RelearnCurve(mode=mode, shots=2, steps=3,
                                     retain_batch=4)(
            build_classifier(), train, digit_images(3, 1),
            RELEARN_FORGOTTEN, RELEARN_RETAINED, per_class=3)
        forgotten_read = np.isin(train.labels[sorted(train.read)],
                                 RELEARN_FORGOTTEN)
        # 'full' reads the shots, so the record would show them.
        assert forgotten_read.any() == (mode == 'full')
    assert set(results['retain']) == {
        *(f'relearn_retain_acc_f_{s}' for s in REPORT_STEPS),
        'relearn_retain_steps', 'relearn_retain_curve'}
    assert results['retain']['relearn_retain_acc_f_10'] is None  # 3 steps


def test_relearning_reports_each_step_count_and_every_mode_is_declared():
    curve = [(0, 0.0), (10, 12.0), (20, 20.0), (30, 35.0), (100, 60.0)]
    summary = RelearnCurve(mode='head', steps=100).summarise(curve, 60.0)
    assert [summary[f'relearn_head_acc_f_{s}'] for s in REPORT_STEPS] == [
        12.0, 35.0, 60.0, None]
    assert summary['relearn_head_steps'] == 100  # 60 >= 0.95 * 60
    specs = metric_specs()
    for mode in MODES:
        assert {f'relearn_{mode}_acc_f_{s}' for s in REPORT_STEPS} | {
            f'relearn_{mode}_steps', f'relearn_{mode}_ain'} <= set(specs)
    with pytest.raises(ValueError, match='mode must be one of'):
        RelearnCurve(mode='probe')


def test_turn_tiles_turns_every_square_tile_a_quarter_turn_by_hand():
    image = torch.tensor([[[1, 2, 3, 4],
                           [5, 6, 7, 8]]])
    # Tiles [[1, 2], [5, 6]] and [[3, 4], [7, 8]], each turned counter-
    # clockwise: the right column becomes the top row.
    assert torch.equal(turn_tiles(image), torch.tensor([[[2, 6, 4, 8],
                                                         [1, 5, 3, 7]]]))
    with pytest.raises(ValueError, match='no row of squares'):
        turn_tiles(torch.zeros(1, 2, 3))


def test_the_turned_control_turns_only_the_forgotten_classes_images():
    images = digit_images(2, 0)
    turned = TurnedClasses(images, RELEARN_FORGOTTEN)
    assert np.array_equal(turned.get_gt_labels(), images.labels)
    for index in range(len(images)):
        expected = images.inputs[index]
        if images.labels[index] in RELEARN_FORGOTTEN:
            expected = expected.rot90(1, dims=(-2, -1))
        assert torch.equal(turned[index]['inputs'], expected)


@pytest.mark.parametrize('mode', ['head', 'head_turned'])
def test_the_turned_modes_train_as_their_plain_modes_on_turned_images(
        mode, monkeypatch):
    """'head_turned' trains the head only, as 'head', but every forgotten
    image it reads (shots and test) is turned, and nothing else; its
    metrics carry the mode's name."""
    from mmforget.evaluation.checks import relearn
    turned = []
    monkeypatch.setattr(relearn, 'turn_tiles',
                        lambda image: turned.append(image) or image.flip(-1))
    model = build_classifier()
    check = RelearnCurve(mode=mode, shots=2, steps=3, retain_batch=4)
    student, curve = check.relearn(
        model, digit_images(4, 0), digit_images(3, 1), RELEARN_FORGOTTEN,
        RELEARN_RETAINED, per_class=3)
    changed = {k for k, v in student.state_dict().items()
               if not torch.equal(v, model.state_dict()[k])}
    assert changed and all(k.startswith('head.') for k in changed)
    # 2 shots of each of the 2 forgotten classes, their 3 test images each.
    assert len(turned) == (2 * 2 + 2 * 3 if mode == 'head_turned' else 0)
    assert f'relearn_{mode}_acc_f_10' in check.summarise(curve, None)
