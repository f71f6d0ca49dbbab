"""Subspace removal (Deep Unlearning): training-free, one closed-form edit.

Each linear layer of the model outside its head (a ViT's qkv, attention
output projection and both MLP linears, optionally the patch embedding; a
DETR's encoder and decoder linears, the deformable attention's included) has
its weight projected so that it stops reading the directions of its input
space that the forget images use and the retain images do not:

    M = U diag(alpha s_i / ((alpha - 1) s_i + 1)) U^T,
    W <- W (I - (M_f - M_f M_r))^T,

where U and sigma are the singular vectors and values of the layer's input
activations (one row per token of every image), s_i = sigma_i^2 / sum
sigma^2 their normalised energies, M_f built from the forget images with
``alpha_f`` and M_r from the retain images with ``alpha_r``. Subtracting
M_f M_r keeps what the forget images share with the retain images: a
direction both use is removed only as far as M_r leaves it unprotected.
Biases stay. Nothing trains: its configs set ``train_cfg.max_epochs=0``.

The edit is a low-rank update. With P = M_f - M_f M_r and M_f = U_f L_f
U_f^T, W (I - P)^T = W + B A with B = -W (I - M_r) U_f L_f and A = U_f^T:
its rank is at most the rank of the forget activations (a projection
W (I - U U^T) = W + (-W U) U^T is the plain case), the shape of a LoRA
update, merged at once.

All layers' activations come from the same forward passes of the model as
it is when the task starts (the previous task's released weights), one pass
over the forget images and one over the retain images, before any layer is
edited. Each layer's projection then describes the inputs that layer had
when the task started, whatever order the layers are edited in. Editing
layer by layer and re-measuring would measure each later layer on inputs
the earlier edits had already changed, and would cost one pass per layer.

The SVD of the activations is taken through their Gram matrix X^T X (its
eigenvectors are U, its eigenvalues sigma^2), summed batch by batch: every
token of every image counts, no token is drawn, and the memory is one
d x d matrix per layer and set however many tokens there are.
"""
import re

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Subset

from mmforget.models.interface import model_kind
from mmforget.registry import METHODS
from .base import ForgettingMethod, refuse_training


def gram_projector(gram, alpha):
    """M = U diag(alpha s / ((alpha - 1) s + 1)) U^T from the Gram matrix
    X^T X of activation rows X (float64): a zero matrix when the layer saw
    nothing, so that its weights stay as they are."""
    if alpha <= 0:
        raise ValueError(f'alpha must be positive, got {alpha}')
    energies, vectors = torch.linalg.eigh(gram.double())
    energies = energies.clamp(min=0)  # rounding leaves tiny negatives
    total = energies.sum()
    if total <= 0:
        return torch.zeros_like(vectors)
    share = energies / total
    scale = alpha * share / ((alpha - 1) * share + 1)
    return (vectors * scale) @ vectors.T


def energy_projector(activations, alpha):
    """M of activation rows ``activations`` (n x d): their input-space
    singular vectors scaled by ``alpha``-weighted normalised energies (1:
    M = U diag(s) U^T; large alpha: every used direction tends to 1)."""
    rows = activations.double().reshape(-1, activations.shape[-1])
    return gram_projector(rows.T @ rows, alpha)


def removal_projection(forget_projector, retain_projector):
    """I - (M_f - M_f M_r): what a layer's input is multiplied by (as a
    row) once the forget-only part of its space is removed."""
    eye = torch.eye(len(forget_projector), dtype=forget_projector.dtype,
                    device=forget_projector.device)
    return eye - (forget_projector - forget_projector @ retain_projector)


def project_weight(weight, projection):
    """W (I - P)^T for a linear weight (out x in) or a patchifying conv's
    (out x C x k x k, its input the unfolded patch)."""
    flat = weight.reshape(len(weight), -1).double()
    projected = flat @ projection.to(flat.device).T
    return projected.reshape(weight.shape).to(weight.dtype)


def is_patchifying_conv(module):
    """A conv whose kernel equals its stride (no padding, dilation or
    groups): a linear map applied to each non-overlapping patch."""
    return (isinstance(module, nn.Conv2d)
            and tuple(module.kernel_size) == tuple(module.stride)
            and tuple(module.padding) == (0, 0)
            and tuple(module.dilation) == (1, 1) and module.groups == 1)


def input_rows(module, inputs):
    """The activation rows a layer's weight multiplies: every token of a
    linear's input, every patch of a patchifying conv's."""
    if isinstance(module, nn.Conv2d):
        patches = F.unfold(inputs, module.kernel_size, stride=module.stride)
        return patches.transpose(1, 2).reshape(-1, patches.shape[1])
    return inputs.reshape(-1, inputs.shape[-1])


def sampled_batches(loader, max_samples, generator):
    """The batches of ``loader`` restricted to at most ``max_samples`` of
    its samples, drawn uniformly with ``generator`` (in loader order). A
    torch DataLoader is re-read over the drawn samples only, so a large
    split is never loaded in full."""
    dataset = getattr(loader, 'dataset', None)
    total = (len(dataset) if dataset is not None else
             sum(len(batch['data_samples']) for batch in loader))
    if max_samples is None or total <= max_samples:
        yield from loader
        return
    drawn = sorted(torch.randperm(total, generator=generator)
                   [:max_samples].tolist())
    if isinstance(loader, DataLoader):
        yield from DataLoader(Subset(dataset, drawn),
                              batch_size=loader.batch_size, shuffle=False,
                              collate_fn=loader.collate_fn)
        return
    wanted, start = set(drawn), 0
    for batch in loader:
        size = len(batch['data_samples'])
        kept = [i for i in range(size) if start + i in wanted]
        start += size
        if kept:
            yield {key: [values[i] for i in kept]
                   for key, values in batch.items()}


def forward_without_head(model, data):
    """A forward pass that reaches every layer a method may project: a
    classifier's ``extract_feat``, a detector's backbone, neck, encoder and
    decoder (``head_outputs``, the class and box branches included)."""
    data = model.data_preprocessor(data, False)
    feats = model.extract_feat(data['inputs'])
    if model_kind(model) == 'detector':
        model.head_outputs(feats, data['data_samples'])


def head_module(model):
    """The module that turns features into outputs: a classifier's
    ``head``, a detector's ``bbox_head``."""
    return model.bbox_head if model_kind(model) == 'detector' else model.head


@torch.no_grad()
def input_grams(model, layers, batches):
    """{name: X^T X} of each layer's input rows X over ``batches``, all
    layers from the same forward passes (eval mode, weights untouched)."""
    grams = {}

    def hook_for(name):
        def accumulate(module, inputs, output):
            rows = input_rows(module, inputs[0]).double()
            gram = rows.T @ rows
            grams[name] = grams[name] + gram if name in grams else gram
        return accumulate

    handles = [layer.register_forward_hook(hook_for(name))
               for name, layer in layers.items()]
    was_training = model.training
    model.eval()
    try:
        for data in batches:
            forward_without_head(model, data)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return grams


@METHODS.register_module()
class SubspaceRemoval(ForgettingMethod):
    """Args:
        alpha_r (float): the retain projector's energy scale: how strongly
            a direction the retain images use is protected (the paper:
            CIFAR-10 100, CIFAR-100 1000, ImageNet 100).
        alpha_f (float): the forget projector's: how fully a direction the
            forget images use is removed (3, 30, 10).
        max_samples (int): images of each split whose activations are read
            (drawn with the task's seed when there are more; the paper:
            about 1,000).
        patch_embed (bool): also project the patch embedding (a
            patchifying conv), over its input patches.
        layer_alpha_f (dict, optional): {regex: alpha_f} for the layers
            whose name the regex matches (``re.search``, the first match in
            order wins), e.g. ``{r'backbone\\.layers\\.5\\.': 1000.0}``
            for a stronger removal in the last block only; every other
            layer takes ``alpha_f``.
        name (str, optional): the name in summaries (default 'Subspace
            removal').
    """

    default_name = 'Subspace removal'

    def __init__(self, alpha_r=100.0, alpha_f=10.0, max_samples=1000,
                 patch_embed=False, layer_alpha_f=None, name=None):
        # Every parameter is frozen: the edit is done by hand.
        super().__init__(name=name, frozen=('', ))
        layer_alpha_f = dict(layer_alpha_f or {})
        if alpha_r <= 0 or min([alpha_f, *layer_alpha_f.values()]) <= 0:
            raise ValueError(
                f'alpha_r, alpha_f and layer_alpha_f must be positive, got '
                f'{alpha_r}, {alpha_f} and {layer_alpha_f}')
        self.alpha_r = float(alpha_r)
        self.alpha_f = float(alpha_f)
        self.layer_alpha_f = {re.compile(pattern): float(alpha)
                              for pattern, alpha in layer_alpha_f.items()}
        self.max_samples = max_samples
        self.patch_embed = bool(patch_embed)
        self.edited_layers = []

    def target_layers(self, model):
        """{name: module}: every nn.Linear outside the head (a
        classifier's ``head``, a detector's ``bbox_head``), and the
        patchifying convs with ``patch_embed``. A layer the forward pass
        does not call as a module (``nn.MultiheadAttention``'s output
        projection) is left as it is: its inputs are never seen."""
        head = set(id(m) for m in head_module(model).modules())
        layers = {}
        for name, module in model.named_modules():
            if id(module) in head:
                continue
            if isinstance(module, nn.Linear) or (
                    self.patch_embed and is_patchifying_conv(module)):
                layers[name] = module
        return layers

    def alpha_f_of(self, layer_name):
        """The forget projector's alpha of one layer."""
        for pattern, alpha in self.layer_alpha_f.items():
            if pattern.search(layer_name):
                return alpha
        return self.alpha_f

    def check_model(self, model):
        """A model with linear layers outside its head, each pattern of
        ``layer_alpha_f`` naming at least one of them."""
        super().check_model(model)
        layers = self.target_layers(model)
        if not layers:
            raise TypeError(
                f'{self.name} projects the linear layers outside the head, '
                f'and {type(model).__name__} has none')
        for pattern in self.layer_alpha_f:
            if not any(pattern.search(name) for name in layers):
                raise ValueError(
                    f'layer_alpha_f pattern {pattern.pattern!r} matches none '
                    f'of the projected layers of {type(model).__name__} '
                    f'(e.g. {next(iter(layers))!r}): fix the pattern')

    def before_tasks(self, model, context):
        """Refuse a schedule that would train: there is no loss."""
        refuse_training(self, context)

    def start_task(self, model, context):
        """Measure every layer's inputs on this task's forget and retain
        images, then project every layer's weight."""
        super().start_task(model, context)
        layers = self.target_layers(model)
        generator = torch.Generator().manual_seed(context.task_seed)
        forget = input_grams(model, layers, sampled_batches(
            context.task_data_loader('forget'), self.max_samples, generator))
        retain = input_grams(model, layers, sampled_batches(
            context.task_data_loader('retain'), self.max_samples, generator))
        self.edited_layers = []
        with torch.no_grad():
            for name, layer in layers.items():
                if name not in forget:
                    continue  # never called as a module by the forward
                size = forget[name].shape[0]
                retain_gram = retain.get(
                    name, forget[name].new_zeros(size, size))
                projection = removal_projection(
                    gram_projector(forget[name], self.alpha_f_of(name)),
                    gram_projector(retain_gram, self.alpha_r))
                layer.weight.copy_(project_weight(layer.weight, projection))
                self.edited_layers.append(name)

    def loss(self, model, inputs, data_samples):
        raise RuntimeError(
            f'{self.name} is training-free (it projects weights at the start '
            'of each task): set train_cfg.max_epochs=0')
