"""Convert a torchvision ViT (e.g. ViT-B/16) state dict to mmpretrain.

Takes ``torchvision.models.vit_b_16().state_dict()`` (or any torchvision
``VisionTransformer``) and writes a plain mmpretrain checkpoint for an
``ImageClassifier`` with ``VisionTransformer`` + ``VisionTransformerClsHead``,
as in ``mmpretrain::_base_/models/vit-base-p16.py`` (arch 'b', 224, patch 16),
with the 1000-way head optionally cut to a class list: the papers' ImageNet100
setup keeps the head rows (weight and bias) of the 100 ImageNet100 classes,
in the order given, e.g. ``checkpoints/vit-b16_imagenet100.pth``.

Keys (torchvision -> mmpretrain), N = layer index:
    conv_proj.{weight,bias}        -> backbone.patch_embed.projection.*
    class_token                    -> backbone.cls_token       (1, 1, D)
    encoder.pos_embedding          -> backbone.pos_embed       (1, 1 + HW, D)
    encoder.layers.encoder_layer_N.ln_1
                                   -> backbone.layers.N.ln1
    ...self_attention.in_proj_{weight,bias}
                                   -> backbone.layers.N.attn.qkv.*
                                      (both stack q, k, v rows, head-major)
    ...self_attention.out_proj     -> backbone.layers.N.attn.proj
    ...ln_2                        -> backbone.layers.N.ln2
    ...mlp.0                       -> backbone.layers.N.ffn.layers.0.0
    ...mlp.3                       -> backbone.layers.N.ffn.layers.1
    encoder.ln                     -> backbone.ln1  (final_norm=True)
    heads.head                     -> head.layers.head  (rows of the kept
                                                         classes)
    heads.pre_logits               -> head.layers.pre_logits  (only models
                                      built with representation_size: set
                                      the head's hidden_dim to its width)

The converted model computes torchvision's logits (at the kept classes) with
mmpretrain's defaults: the backbone's LayerNorms use ``eps=1e-6`` (the
VisionTransformer default, which the vit-base-p16 config keeps; torchvision
uses 1e-6 too), attention is scaled by ``head_dims ** -0.5`` in both, the
FFN uses exact GELU, the output is the final-normed CLS token
(``out_type='cls_token'``). The config only needs
``model.head.num_classes`` = the number of kept classes, and for other sizes
the matching ``arch``, ``img_size`` and ``patch_size`` (printed and stored
in ``meta``; an arch dict also needs the source model's ``num_heads``,
which the weights do not fix). The project loads pretrained weights
strictly, so a ``pos_embed`` of another image size is an error rather than
resized: set ``img_size`` to the source's (e.g. 384 for the SWAG weights).

Class order: mmpretrain's ``CustomDataset`` numbers the ``<wnid>`` folders in
sorted order, which is ascending ImageNet-1k index, so list the classes in
ascending order to match such a folder layout (a note is printed
otherwise).
"""
import argparse
import os
import os.path as osp
import re
from collections import OrderedDict

import torch

# Per-layer parameters: encoder.layers.encoder_layer_N.<key>.
LAYER_KEYS = {
    'ln_1.weight': 'ln1.weight',
    'ln_1.bias': 'ln1.bias',
    'self_attention.in_proj_weight': 'attn.qkv.weight',
    'self_attention.in_proj_bias': 'attn.qkv.bias',
    'self_attention.out_proj.weight': 'attn.proj.weight',
    'self_attention.out_proj.bias': 'attn.proj.bias',
    'ln_2.weight': 'ln2.weight',
    'ln_2.bias': 'ln2.bias',
    'mlp.0.weight': 'ffn.layers.0.0.weight',
    'mlp.0.bias': 'ffn.layers.0.0.bias',
    'mlp.3.weight': 'ffn.layers.1.weight',
    'mlp.3.bias': 'ffn.layers.1.bias',
}
TOP_KEYS = {
    'conv_proj.weight': 'backbone.patch_embed.projection.weight',
    'conv_proj.bias': 'backbone.patch_embed.projection.bias',
    'class_token': 'backbone.cls_token',
    'encoder.pos_embedding': 'backbone.pos_embed',
    'encoder.ln.weight': 'backbone.ln1.weight',
    'encoder.ln.bias': 'backbone.ln1.bias',
    'heads.head.weight': 'head.layers.head.weight',
    'heads.head.bias': 'head.layers.head.bias',
    'heads.pre_logits.weight': 'head.layers.pre_logits.weight',
    'heads.pre_logits.bias': 'head.layers.pre_logits.bias',
}
OPTIONAL_KEYS = {'heads.pre_logits.weight', 'heads.pre_logits.bias'}
LAYER_KEY = re.compile(r'encoder\.layers\.encoder_layer_(\d+)\.(.+)')
# mmpretrain VisionTransformer arch names by (embed_dims, layers, mlp).
ARCHS = {(768, 12, 3072): 'b', (1024, 24, 4096): 'l', (1280, 32, 5120): 'h'}


def torchvision_state_dict(checkpoint):
    """The tensors of a torchvision ViT, without wrappers or ``module.``."""
    state = checkpoint
    for wrapper in ('state_dict', 'model'):
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    if not isinstance(state, dict) or not state or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError('expected a state dict of tensors (save '
                         'model.state_dict(), optionally under "state_dict" '
                         'or "model")')
    return OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in state.items())


def join_keys(keys):
    keys = sorted(keys)
    return ', '.join(keys[:5]) + (' ...' if len(keys) > 5 else '')


def convert_vit(state):
    """torchvision ViT keys -> mmpretrain ImageClassifier keys (all
    classes); every torchvision key must be known and present."""
    converted, unknown, layers = OrderedDict(), [], set()
    for key, value in state.items():
        match = LAYER_KEY.fullmatch(key)
        if key in TOP_KEYS:
            converted[TOP_KEYS[key]] = value
        elif match and match.group(2) in LAYER_KEYS:
            layer, param = match.groups()
            layers.add(int(layer))
            converted[f'backbone.layers.{layer}.{LAYER_KEYS[param]}'] = value
        else:
            unknown.append(key)
    if unknown:
        raise ValueError(
            f'{len(unknown)} keys are not in the torchvision '
            f'VisionTransformer layout: {join_keys(unknown)}; pass the '
            'state dict of torchvision.models.vit_b_16 (or another '
            'torchvision VisionTransformer)')
    depth = max(layers) + 1 if layers else 0
    expected = set(TOP_KEYS) - OPTIONAL_KEYS
    if OPTIONAL_KEYS & set(state):
        expected |= OPTIONAL_KEYS  # a pre_logits layer has both
    for i in range(depth):
        expected |= {f'encoder.layers.encoder_layer_{i}.{k}'
                     for k in LAYER_KEYS}
    missing = expected - set(state)
    if missing or not depth:
        raise ValueError(
            f'{len(missing)} torchvision ViT keys are missing: '
            f'{join_keys(missing) or "every encoder layer"}; the file '
            'must hold the whole model state dict')
    return converted, depth


def parse_classes(spec):
    """``--classes``: a text file of ImageNet indices (one per line, ``#``
    comments and blank lines allowed) or comma-separated indices."""
    if osp.isfile(spec):
        with open(spec, encoding='utf-8') as f:
            tokens = [line.split('#', 1)[0].strip() for line in f]
        tokens = [t for t in tokens if t]
        where = f'class file {spec}'
    else:
        tokens = [t.strip() for t in spec.split(',') if t.strip()]
        where = '--classes'
    try:
        classes = [int(t) for t in tokens]
    except ValueError:
        bad = next(t for t in tokens if not re.fullmatch(r'[+-]?\d+', t))
        raise ValueError(
            f'{where}: {bad!r} is not an integer class index; pass a text '
            'file with one ImageNet class index per line or comma-separated '
            'indices such as 0,5,17' +
            ('' if osp.exists(spec) or ',' in spec else
             f' ({spec!r} is not an existing file either)'))
    if not classes:
        raise ValueError(f'{where} lists no classes')
    return classes


def cut_head(converted, classes):
    """Keep the head rows of ``classes``, in that order."""
    weight = converted['head.layers.head.weight']
    num_rows = weight.shape[0]
    out_of_range = [c for c in classes if not 0 <= c < num_rows]
    if out_of_range:
        raise ValueError(
            f'class indices {out_of_range[:5]} are out of range: the head has '
            f'{num_rows} classes, indices 0..{num_rows - 1}')
    seen, duplicates = set(), []
    for c in classes:
        if c in seen and c not in duplicates:
            duplicates.append(c)
        seen.add(c)
    if duplicates:
        raise ValueError(f'class indices {duplicates[:5]} are listed more '
                         'than once; list each kept class once')
    index = torch.tensor(classes, dtype=torch.long)
    converted['head.layers.head.weight'] = weight[index].clone()
    converted['head.layers.head.bias'] = \
        converted['head.layers.head.bias'][index].clone()
    return converted


def convert_torchvision_vit(checkpoint, classes=None):
    """torchvision ViT state (or checkpoint) -> (mmpretrain state, meta);
    ``classes``: head rows to keep, in order (None: all)."""
    converted, depth = convert_vit(torchvision_state_dict(checkpoint))
    num_source_classes = converted['head.layers.head.weight'].shape[0]
    if classes is not None:
        converted = cut_head(converted, list(classes))
    converted = OrderedDict((k, v.detach().contiguous())
                            for k, v in converted.items())
    dims = converted['backbone.cls_token'].shape[-1]
    patch = converted['backbone.patch_embed.projection.weight'].shape[-1]
    grid = round((converted['backbone.pos_embed'].shape[1] - 1) ** 0.5)
    mlp = converted['backbone.layers.0.ffn.layers.0.0.weight'].shape[0]
    meta = dict(
        arch=ARCHS.get((dims, depth, mlp),
                       dict(embed_dims=dims, num_layers=depth,
                            feedforward_channels=mlp)),
        img_size=grid * patch, patch_size=patch,
        num_classes=converted['head.layers.head.weight'].shape[0],
        source_num_classes=num_source_classes,
        classes=None if classes is None else [int(c) for c in classes])
    if 'head.layers.pre_logits.weight' in converted:
        meta['head_hidden_dim'] = \
            converted['head.layers.pre_logits.weight'].shape[0]
    return converted, meta


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='torchvision ViT state dict (.pth)')
    parser.add_argument('dst', help='mmpretrain checkpoint to write (.pth)')
    parser.add_argument('--classes',
                        help='head rows to keep, in order: a text file of '
                        'ImageNet class indices (one per line) or '
                        'comma-separated indices (default: all)')
    parser.add_argument('--force', action='store_true',
                        help='overwrite dst if it exists')
    args = parser.parse_args()
    if osp.exists(args.dst) and not args.force:
        parser.error(f'{args.dst} exists; pass --force to overwrite it')
    try:
        classes = None if args.classes is None else \
            parse_classes(args.classes)
    except ValueError as error:
        parser.error(str(error))
    try:
        # Tensors only: a downloaded checkpoint runs no code when loaded.
        checkpoint = torch.load(args.src, map_location='cpu',
                                weights_only=True)
    except Exception as error:
        raise SystemExit(f'cannot load {args.src} as plain tensors '
                         f'(weights_only=True; save model.state_dict() '
                         f'alone): {error}')
    try:
        state, meta = convert_torchvision_vit(checkpoint, classes)
    except ValueError as error:
        raise SystemExit(f'{args.src}: {error}')
    meta['converted_from'] = osp.basename(args.src)
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(dict(state_dict=state, meta=meta), args.dst + '.tmp')
    os.replace(args.dst + '.tmp', args.dst)
    print(f'converted {len(state)} tensors to {args.dst}: backbone arch '
          f'{meta["arch"]!r}, img_size {meta["img_size"]}, patch_size '
          f'{meta["patch_size"]}; set model.head.num_classes='
          f'{meta["num_classes"]}' +
          (f' and model.head.hidden_dim={meta["head_hidden_dim"]}'
           if 'head_hidden_dim' in meta else ''))
    if isinstance(meta['arch'], dict):
        print('note: an arch dict also needs num_heads, which the weights do '
              'not fix; take it from the source model')
    if classes is not None and classes != sorted(classes):
        print('note: the classes are not in ascending order; a CustomDataset '
              'folder layout (<wnid> folders, sorted) numbers them in '
              'ascending ImageNet index order')


if __name__ == '__main__':
    main()
