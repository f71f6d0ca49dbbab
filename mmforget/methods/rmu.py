"""RMU, Representation Misdirection for Unlearning, on a ViT classifier.

The output tokens of one transformer block ``l`` (every token, the class
token included) are steered on the forget images towards a fixed random
direction and held at the frozen model's on the retain images::

    L = mean (h_l(x_f) - c u)^2 + alpha * mean (h_l(x_r) - h_l^frozen(x_r))^2

``u`` is a random unit vector with entries drawn uniformly from [0, 1) and
normalised, drawn once per task from the task seed; the frozen model is a
copy of the weights the task starts from. Both means run over samples,
tokens and channels (an element-wise mean squared error), the scale the
released values c 6.5 and alpha 1200 were set for. Only a few parameter
groups at or below block ``l`` train (by default the FFNs of blocks
``l-2..l``); the forward pass stops at block ``l``, so the blocks above it
and the head never see a gradient. The loss reads no label and no logit: it
acts on block ``l``'s features only.
"""
import torch
import torch.nn.functional as F

from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch, zero_loss


def control_vector(seed, dims, scale, device=None):
    """``scale * u``, ``u`` a unit vector with non-negative entries
    (uniform draws, normalised), the same for the same seed on any device."""
    generator = torch.Generator().manual_seed(int(seed))
    direction = torch.rand(dims, generator=generator, dtype=torch.float64)
    vector = (scale * direction / direction.norm()).float()
    return vector if device is None else vector.to(device)


def rmu_loss(forget_acts, retain_acts, frozen_retain_acts, control,
             retain_weight):
    """RMU's two terms on block activations of shape (N, tokens, C):
    ``loss_forget``, the mean squared distance of the forget activations to
    ``control`` (C,), and ``loss_retain``, ``retain_weight`` times the mean
    squared distance of the retain activations to the frozen model's. A
    term whose samples are absent (None or empty) is left out."""
    losses = dict()
    if forget_acts is not None and len(forget_acts):
        losses['loss_forget'] = F.mse_loss(
            forget_acts, control.to(forget_acts).expand_as(forget_acts))
    if retain_acts is not None and len(retain_acts):
        losses['loss_retain'] = retain_weight * F.mse_loss(
            retain_acts, frozen_retain_acts)
    return losses


class _BlockReached(Exception):
    """Raised by the hook that captured a block's output: nothing above
    the block is computed."""


def block_output(model, inputs, layer):
    """The output tokens of ``model.backbone.layers[layer]`` on
    preprocessed ``inputs``; the forward pass stops there."""
    captured = []

    def capture(module, args, output):
        captured.append(output)
        raise _BlockReached

    handle = model.backbone.layers[layer].register_forward_hook(capture)
    try:
        model.extract_feat(inputs)
    except _BlockReached:
        pass
    finally:
        handle.remove()
    if not captured:
        raise RuntimeError(
            f'block {layer} of {type(model.backbone).__name__} was never '
            'called by extract_feat')
    return captured[0]


@METHODS.register_module()
class RMU(ForgettingMethod):
    """Args:
        layer (int): the block whose output tokens are steered (negative:
            counted from the last block; default -2, the one before last).
        trained_layers (list[int], optional): the blocks whose
            ``trained_modules`` train, each at or below ``layer``
            (negative: counted from the last block). Default: ``layer - 2``
            to ``layer``, those that exist.
        trained_modules (list[str]): submodules of a block that train:
            'ffn' (default), 'attn', 'ln1', 'ln2' or a deeper name such as
            'ffn.layers.1' (the FFN's output projection); '' trains the
            whole block.
        steering_coeff (float): c, the norm of the control vector (6.5).
        retain_weight (float): alpha, the weight of the retain term (1200).
        name (str, optional): the name in summaries (default 'RMU').
    """

    default_name = 'RMU'
    # It reads the blocks of a classifier's ViT backbone.
    model_kinds = ('classifier', )

    def __init__(self, layer=-2, trained_layers=None,
                 trained_modules=('ffn', ), steering_coeff=6.5,
                 retain_weight=1200.0, name=None):
        super().__init__(name=name, frozen=())
        self.layer = int(layer)
        self.trained_layers = (None if trained_layers is None else
                               [int(i) for i in trained_layers])
        self.trained_modules = ((trained_modules, ) if isinstance(
            trained_modules, str) else tuple(trained_modules))
        if not self.trained_modules:
            raise ValueError('trained_modules names no submodule to train')
        self.steering_coeff = float(steering_coeff)
        self.retain_weight = float(retain_weight)
        self.block = None  # ``layer`` as an index from 0
        self.trained_prefixes = None
        self.frozen_model = None
        self.control = None

    # ----------------------------------------------------- what it reads
    def check_model(self, model):
        """A classifier whose backbone has indexable blocks, ``layer`` and
        the trained blocks among them, and parameters to train there."""
        super().check_model(model)
        blocks = getattr(getattr(model, 'backbone', None), 'layers', None)
        if blocks is None:
            raise TypeError(
                f'{self.name} reads the blocks of the backbone '
                '(model.backbone.layers), and '
                f'{type(getattr(model, "backbone", None)).__name__} has none')
        count = len(blocks)
        self.block = self._index(self.layer, count, 'layer')
        if self.trained_layers is None:
            trained = range(max(self.block - 2, 0), self.block + 1)
        else:
            trained = [self._index(i, count, 'trained_layers')
                       for i in self.trained_layers]
        above = [i for i in trained if i > self.block]
        if above:
            raise ValueError(
                f'{self.name} stops the forward pass at block {self.block}: '
                f'trained_layers {above} above it would get no gradient')
        self.trained_prefixes = tuple(
            f'backbone.layers.{i}.' + (f'{m}.' if m else '')
            for i in sorted(set(trained)) for m in self.trained_modules)
        names = [n for n, _ in model.named_parameters()]
        if not any(self.is_trainable(n) for n in names):
            raise ValueError(
                f'{self.name}: no parameter starts with any of '
                f'{list(self.trained_prefixes)}; check trained_modules')

    @staticmethod
    def _index(index, count, what):
        if not -count <= index < count:
            raise ValueError(
                f'{what} {index} is not a block of a backbone with {count}')
        return index % count

    def is_trainable(self, name):
        if self.trained_prefixes is None:
            raise RuntimeError(
                f'{self.name} decides what trains from the model: call '
                'check_model (build_method does) first')
        return name.startswith(self.trained_prefixes)

    # ------------------------------------------------------------ hooks
    def start_task(self, model, context):
        """A frozen copy of the weights the task starts from, and this
        task's control vector (from the task seed: a resumed task draws
        the same)."""
        super().start_task(model, context)
        self.frozen_model = model.frozen_copy()
        device = next(model.parameters()).device
        self.control = control_vector(context.task_seed,
                                      model.backbone.embed_dims,
                                      self.steering_coeff, device)

    def loss(self, model, inputs, data_samples):
        forget, retain = split_batch(data_samples)
        acts = block_output(model, inputs, self.block)
        frozen = None
        if len(retain):
            with torch.no_grad():
                frozen = block_output(self.frozen_model, inputs[retain],
                                      self.block)
        losses = rmu_loss(acts[forget], acts[retain], frozen, self.control,
                          self.retain_weight)
        return losses or dict(loss_forget=zero_loss(model))

    def finish_task(self, model):
        """The frozen copy holds the task's starting weights: let it go."""
        self.frozen_model = None
