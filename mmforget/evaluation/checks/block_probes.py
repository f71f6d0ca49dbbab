"""Probes at every block: where in the network is a forgotten class still
separable? A method that only edits the last blocks (or the head) leaves
the class readable in the blocks before them; one that removed it reads
like Retrain at every depth.

Opt-in (a forward pass of its own and a fit per block and probe):
``dict(type='mmforget.BlockProbes', blocks=(3, 7, 11))`` in
``train_cfg.evaluation.checks``. It needs the model, not only its
embeddings, so the evaluator calls it with the model and the datasets.
"""
import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader, Subset

from mmforget.registry import FORGETTING_CHECKS
from .base import ModelOutputs, SplitOutputs
from .outputs import split_indices
from .probes import KNNProbe, LinearProbe, MLPProbe, probe_metrics

PROBES = dict(linear=LinearProbe, knn=KNNProbe, mlp=MLPProbe)
PROBE_NAMES = dict(linear='linear probe', knn='k-NN probe', mlp='MLP probe')

# The gap card finds a metric by its exact name in the registered checks'
# ``metrics``; blocks 0-23 cover ViT-Tiny to ViT-Large. A deeper model's
# further blocks are declared when the check first reads one (see
# ``declare_blocks``).
DECLARED_BLOCKS = 24


def block_probe_metrics(num_blocks, probes=tuple(PROBES)):
    """name -> MetricSpec of ``block<i>_<probe>_acc_f`` / ``_acc_r`` for
    blocks 0 to ``num_blocks - 1``."""
    specs = {}
    for block in range(num_blocks):
        for probe in probes:
            specs.update(probe_metrics(
                f'block{block}_{probe}',
                f'{PROBE_NAMES[probe]} on the output of block {block}'))
    return specs


class _DeepestBlockDone(Exception):
    """Stops the forward pass once the deepest probed block has run: the
    later blocks and the head are not needed."""


@FORGETTING_CHECKS.register_module()
class BlockProbes:
    """Fit ``probes`` (any of 'linear', 'knn', 'mlp': the ``LinearProbe``,
    ``KNNProbe`` and ``MLPProbe`` checks, built with ``probe_args[name]``)
    on the output of each of ``blocks`` (indices into
    ``model.backbone.layers``, negative ones from the end; None: all) of a
    ViT-style backbone, for the images the other checks read: at most
    ``per_class`` training and test images of every forgotten and kept
    class. A block's vector is the token the backbone's own output reads:
    its CLS token (the first) where it has one and outputs it
    (``backbone.cls_token``, ``out_type='cls_token'``), else the mean of
    its patch tokens; the result's ``block_probe_token`` says which. The
    last block's output is read before the backbone's final norm."""
    needs_model = True
    metrics = block_probe_metrics(DECLARED_BLOCKS)

    def __init__(self, blocks=None, probes=('linear', 'knn'),
                 probe_args=None, batch_size=64, seed=0):
        unknown = sorted(set(probes) - set(PROBES))
        if unknown:
            raise ValueError(f'unknown probes {unknown}; choose from '
                             f'{list(PROBES)}')
        if blocks is not None and not len(blocks):
            raise ValueError('blocks is empty: name at least one, or None '
                             'for all')
        probe_args = probe_args or {}
        self.blocks = blocks
        self.probes = {name: PROBES[name](**{'seed': seed,
                                             **probe_args.get(name, {})})
                       for name in probes}
        self.batch_size = batch_size

    def __call__(self, model, train_set, test_set, forgotten, retained,
                 original_acc_f=None, per_class=100):
        """``block<i>_<probe>_acc_f`` / ``_acc_r`` of every probed block
        (``model`` is only read)."""
        layers = model.backbone.layers
        blocks = self.chosen_blocks(len(layers))
        self.declare_blocks(len(layers))
        token, extra_tokens = token_to_read(model.backbone)
        classes = sorted(set(forgotten) | set(retained))
        images = {}
        for name, dataset in (('train', train_set), ('test', test_set)):
            indices = split_indices(dataset, classes, per_class)
            images[name] = block_vectors(model, dataset, indices, blocks,
                                         token, extra_tokens,
                                         self.batch_size)
        results = dict(block_probe_token=token)
        for block in blocks:
            outputs = block_outputs(images, block, forgotten, retained)
            for name, probe in self.probes.items():
                for key, value in probe(outputs).items():
                    results[f'block{block}_{name}_'
                            f'{key[len(probe.prefix) + 1:]}'] = value
        return results

    def chosen_blocks(self, num_blocks):
        if self.blocks is None:
            return list(range(num_blocks))
        try:
            return sorted({range(num_blocks)[b] for b in self.blocks})
        except IndexError:
            raise ValueError(f'blocks {list(self.blocks)} are not all among '
                             f'the backbone\'s {num_blocks}') from None

    @classmethod
    def declare_blocks(cls, num_blocks):
        """Declare the metrics of blocks beyond ``DECLARED_BLOCKS``, so that
        this process's gap card finds them (a later process that only reads
        saved results knows blocks 0-23)."""
        if num_blocks > DECLARED_BLOCKS:
            for name, spec in block_probe_metrics(num_blocks).items():
                cls.metrics.setdefault(name, spec)


def token_to_read(backbone):
    """('cls' or 'mean', the number of tokens before the patch tokens)."""
    has_cls = getattr(backbone, 'cls_token', None) is not None
    extra_tokens = getattr(backbone, 'num_extra_tokens', int(has_cls))
    if has_cls and getattr(backbone, 'out_type', 'cls_token') == 'cls_token':
        return 'cls', extra_tokens
    return 'mean', extra_tokens


def block_token(output, token, extra_tokens=0):
    """One vector per image from a block's (B, L, C) output tokens: the
    first, or the mean of those after the ``extra_tokens``."""
    if isinstance(output, (tuple, list)):
        output = output[0]
    if output.dim() != 3:
        raise TypeError(f'a block output of shape {tuple(output.shape)}; '
                        'BlockProbes reads (batch, tokens, channels) tokens '
                        'of a ViT-style backbone')
    return output[:, 0] if token == 'cls' else output[:, extra_tokens:].mean(1)


@torch.no_grad()
def block_vectors(model, dataset, indices, blocks, token, extra_tokens=0,
                  batch_size=64):
    """({block: (N, C) float32 vectors}, (N,) labels) of
    ``dataset[indices]``, in that order, from one forward pass per batch
    that stops after the deepest of ``blocks``."""
    layers = model.backbone.layers
    vectors = {block: [] for block in blocks}
    deepest = max(blocks)

    def keep(block):
        def hook(module, args, output):
            vectors[block].append(
                block_token(output, token, extra_tokens).float().cpu())
            if block == deepest:
                raise _DeepestBlockDone
        return hook

    handles = [layers[block].register_forward_hook(keep(block))
               for block in blocks]
    was_training = model.training
    model.eval()
    labels = []
    try:
        loader = DataLoader(Subset(dataset, [int(i) for i in indices]),
                            batch_size=batch_size, shuffle=False,
                            collate_fn=pseudo_collate)
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            labels.append(torch.cat(
                [s.gt_label for s in data['data_samples']]).cpu())
            try:
                model.extract_feat(data['inputs'])
            except _DeepestBlockDone:
                pass
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    if not labels:
        return {block: np.zeros((0, 0), np.float32) for block in blocks}, \
            np.zeros(0, np.int64)
    return ({block: torch.cat(v).numpy() for block, v in vectors.items()},
            torch.cat(labels).numpy())


def block_outputs(images, block, forgotten, retained):
    """The probes' view of one block: its vectors of the four splits (no
    logits, no head: the probes read only the features)."""
    splits = {}
    for group, classes in (('forget', forgotten), ('retain', retained)):
        for name, (vectors, labels) in images.items():
            keep = np.isin(labels, list(classes))
            splits[f'{group}_{name}'] = SplitOutputs(
                vectors[block][keep], np.zeros((int(keep.sum()), 0)),
                labels[keep])
    return ModelOutputs(splits, sorted(forgotten))
