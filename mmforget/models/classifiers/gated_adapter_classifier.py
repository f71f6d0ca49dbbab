"""A classifier whose adapters are switched on per image by request
detectors: O3's gated suppression.

The weights of the original model never change; each forgetting request
adds a detector that scores how close an image is to that request's forget
images (per-block distances in the frozen original model's class tokens),
and the adapters act only on the images some detector claims. Whoever holds
the model can set the gate to 0 and has the original back: this design
suppresses, it cannot erase (``tools/verify_release.py`` says so).
"""
import re

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS

from mmforget.lora import adapter_free_copy, set_sample_scale
from .forgetting_classifier import ForgettingClassifier

#: The gate's state-dict prefix: what marks a release that ships with one.
GATE_PREFIX = 'adapter_gate.'
GATE_STATISTICS = ('blocks', 'mean', 'precision', 'bank', 'centre',
                   'spread', 'threshold')
_STATISTIC_KEY = re.compile(r'request_(\d+)_(' + '|'.join(GATE_STATISTICS)
                            + r')$')


class RequestGate(nn.Module):
    """One detector per request, all of them buffers (a checkpoint loads
    them without unpickling anything).

    A detector reads an image's class token after every block of the frozen
    original model, ``feats`` (L, D), and scores each of its ``blocks``
    (all by default) twice, both
    larger when closer to the request's forget images: ``-1/2`` the squared
    Mahalanobis distance to their mean, and the largest cosine similarity to
    a bank of their tokens. The 2B scores are standardised on held-out
    forget images and averaged; the detector claims the image when that
    mean reaches ``threshold``, the ``quantile`` of the held-out images'
    means (0.05: 95% of held-out forget images are claimed). The gate opens
    when any detector claims the image.
    """

    @property
    def num_requests(self):
        return sum(1 for name, _ in self.named_buffers()
                   if name.endswith('_threshold'))

    def statistics(self, index):
        return {name: getattr(self, f'request_{index}_{name}')
                for name in GATE_STATISTICS}

    @staticmethod
    def block_scores(feats, mean, precision, bank):
        """(N, 2L): per block, -1/2 squared Mahalanobis distance, then the
        largest cosine similarity to the bank."""
        centred = feats - mean  # (N, L, D)
        mahalanobis = torch.einsum('nld,lde,nle->nl', centred, precision,
                                   centred)
        cosine = torch.einsum('nld,lmd->nlm', F.normalize(feats, dim=-1),
                              bank).amax(-1)
        return torch.cat([-0.5 * mahalanobis, cosine], dim=1)

    def request_scores(self, feats, index):
        """(N,) detector ``index``'s score of images with block tokens
        ``feats`` (N, L, D)."""
        stats = self.statistics(index)
        scores = self.block_scores(feats[:, stats['blocks']], stats['mean'],
                                   stats['precision'], stats['bank'])
        return ((scores - stats['centre']) / stats['spread']).mean(1)

    def forward(self, feats):
        """(N,) 1.0 where some detector claims the image, else 0.0."""
        claimed = torch.zeros(len(feats), dtype=torch.bool,
                              device=feats.device)
        for index in range(self.num_requests):
            threshold = getattr(self, f'request_{index}_threshold')
            claimed |= self.request_scores(feats, index) >= threshold
        return claimed.float()

    @torch.no_grad()
    def add_request(self, train_feats, heldout_feats, quantile=0.05,
                    blocks=None, ridge=1e-3):
        """Fit the next request's detector: mean, precision and bank on
        ``train_feats`` (N, L, D), standardisation and threshold on
        ``heldout_feats`` (M, L, D). ``blocks``: the block indices it reads
        (None: all). ``ridge``: added to the covariance's diagonal,
        relative to its mean variance."""
        if len(train_feats) < 2 or len(heldout_feats) < 2:
            raise ValueError(
                'a request detector needs at least 2 training and 2 held-out '
                f'forget images, got {len(train_feats)} and '
                f'{len(heldout_feats)}: give the task more forget data')
        blocks = torch.as_tensor(
            list(range(train_feats.shape[1])) if blocks is None else blocks,
            dtype=torch.long)
        if not len(blocks) or blocks.min() < 0 or \
                blocks.max() >= train_feats.shape[1]:
            raise ValueError(
                f'detector blocks {blocks.tolist()} are not blocks of a '
                f'{train_feats.shape[1]}-block backbone')
        train = train_feats[:, blocks].double()
        mean = train.mean(0)
        centred = train - mean
        covariance = torch.einsum('nld,nle->lde', centred, centred) / len(
            train)
        dims = covariance.shape[-1]
        scale = covariance.diagonal(dim1=-2, dim2=-1).mean(-1)
        covariance = covariance + ridge * scale.view(-1, 1, 1) * torch.eye(
            dims, dtype=covariance.dtype)
        precision = torch.linalg.inv(covariance)
        bank = F.normalize(train, dim=-1).transpose(0, 1)  # (L, N, D)
        scores = self.block_scores(heldout_feats[:, blocks].double(), mean,
                                   precision, bank)
        centre = scores.mean(0)
        spread = scores.std(0).clamp(min=1e-8)
        aggregate = ((scores - centre) / spread).mean(1)
        threshold = torch.quantile(aggregate, quantile)
        index = self.num_requests
        self.register_buffer(f'request_{index}_blocks',
                             blocks.to(train_feats.device))
        for name, value in dict(mean=mean, precision=precision, bank=bank,
                                centre=centre, spread=spread,
                                threshold=threshold).items():
            self.register_buffer(f'request_{index}_{name}',
                                 value.float().to(train_feats.device))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # The detectors a checkpoint holds are created before they load,
        # and those it does not hold go (it is another state of the run).
        ours = {k[len(prefix):] for k in state_dict if k.startswith(prefix)}
        if ours:
            for name in [n for n, _ in self.named_buffers(recurse=False)
                         if n not in ours]:
                delattr(self, name)
        for key, value in state_dict.items():
            match = _STATISTIC_KEY.match(key[len(prefix):]) \
                if key.startswith(prefix) else None
            if match and not hasattr(self, key[len(prefix):]):
                self.register_buffer(key[len(prefix):], torch.empty_like(
                    value))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


@MMPRETRAIN_MODELS.register_module()
class GatedAdapterClassifier(ForgettingClassifier):
    """A ViT ``ForgettingClassifier`` whose adapters are never merged: each
    image's adapter update is scaled by the gate of ``RequestGate`` (1 for
    images a request detector claims, 0 otherwise); the detectors read the
    class token after every block of a frozen adapter-free copy of the
    backbone (the original model, since only the adapters train).

    Its release is its whole state dict: the original weights, the
    adapters and the detectors.
    """

    #: The release keeps the adapters unmerged, and the gate: the key parts
    #: ``load_plain_checkpoint`` takes when a checkpoint holds them.
    releases_adapters = True
    release_key_parts = ('.lora_', GATE_PREFIX)

    def __init__(self, lora=dict(rank=8), **kwargs):
        if lora is None:
            raise ValueError(
                'GatedAdapterClassifier gates LoRA adapters: give it a '
                '`lora` dict (e.g. lora=dict(rank=4))')
        super().__init__(lora=lora, **kwargs)
        if not hasattr(self.backbone, 'layers'):
            raise TypeError(
                'GatedAdapterClassifier reads the class token after every '
                f'block of a ViT-style backbone (backbone.layers); '
                f'{type(self.backbone).__name__} has no layers')
        self.adapter_gate = RequestGate()
        # Training a request sees its adapter on every image (no detector
        # for it exists yet); the method switches this on and off.
        self.gate_bypassed = False
        object.__setattr__(self, '_gate_encoder', None)
        self.register_load_state_dict_post_hook(
            lambda module, keys: object.__setattr__(
                module, '_gate_encoder', None))

    def finish_task(self):
        """The adapters stay unmerged: the gate scales them per image."""

    def released_state_dict(self):
        return {k: v.detach().clone() for k, v in self.state_dict().items()}

    def gate_encoder(self):
        """The frozen adapter-free backbone the detectors read (copied from
        the backbone when first needed after building or loading)."""
        if self._gate_encoder is None:
            object.__setattr__(self, '_gate_encoder',
                               adapter_free_copy(self.backbone))
        return self._gate_encoder

    @torch.no_grad()
    def block_tokens(self, inputs):
        """(N, L, D): the class token after each block of the original."""
        encoder = self.gate_encoder().to(inputs.device)
        tokens = []
        handles = [layer.register_forward_hook(
            lambda module, args, output: tokens.append(output[:, 0]))
            for layer in encoder.layers]
        try:
            encoder(inputs)
        finally:
            for handle in handles:
                handle.remove()
        return torch.stack(tokens, dim=1).float()

    @torch.no_grad()
    def gate(self, inputs):
        """(N,) the adapters' scale for each image: 1.0 or 0.0."""
        return self.adapter_gate(self.block_tokens(inputs))

    def extract_feat(self, inputs, stage='neck'):
        if self.gate_bypassed or not self.adapter_gate.num_requests:
            return super().extract_feat(inputs, stage)
        set_sample_scale(self, self.gate(inputs))
        try:
            return super().extract_feat(inputs, stage)
        finally:
            set_sample_scale(self, None)
