"""Convert the GS-LoRA authors' Face Transformer checkpoints to mmforget.

Takes the released pre-trained Face Transformer + CosFace/ArcFace weights
(``Backbone_VIT_Epoch_*.pth``) or an official forgetting checkpoint
(``module.``-prefixed, with loralib's ``lora_A`` / ``lora_B``) and writes a
plain mmpretrain checkpoint for ``FaceTransformer`` + ``MarginCosineHead``,
e.g. ``checkpoints/face-transformer_casia100.pth`` for the CASIA-100 configs.

Keys (official -> mmforget):
    patch_to_embedding.{weight,bias}   -> backbone.patch_embed.projection.*
                                          (linear over (p1 p2 c) patches
                                          reshaped to the conv layout)
    cls_token, pos_embedding           -> backbone.cls_token, .pos_embed
    transformer.layers.N.0.fn.norm     -> backbone.layers.N.ln1
    transformer.layers.N.0.fn.fn.to_qkv       -> backbone.layers.N.attn.qkv
    transformer.layers.N.0.fn.fn.to_out.0     -> backbone.layers.N.attn.proj
    transformer.layers.N.1.fn.norm     -> backbone.layers.N.ln2
    transformer.layers.N.1.fn.fn.net.0 -> backbone.layers.N.ffn.layers.0.0
    transformer.layers.N.1.fn.fn.net.3 -> backbone.layers.N.ffn.layers.1
    mlp_head.0                         -> backbone.ln1
    loss.weight                        -> head.weight (not transposed)

LoRA keys: the official code saves after ``model.eval()``, where loralib
has already merged ``B A / r`` into the weight, so by default the adapters
are dropped (``--lora merged``). ``--lora unmerged`` adds them in, for a
checkpoint saved in training mode.

The converted model computes the papers' function in mmforget's
``FaceTransformer`` with its defaults (``attn_scale='embed_dims'``,
``norm_eps=1e-5``). ``--attn-scale head_dims`` instead folds
``sqrt(head_dims / embed_dims)`` into the query rows, for a backbone that
keeps mmpretrain's ``head_dims ** -0.5`` scale (a plain VisionTransformer).
"""
import argparse
import os
import os.path as osp
import re
from collections import OrderedDict

import torch

PREFIX = 'transformer.layers.'
LAYER_KEYS = {
    '0.fn.norm': 'ln1',
    '0.fn.fn.to_qkv': 'attn.qkv',
    '0.fn.fn.to_out.0': 'attn.proj',
    '1.fn.norm': 'ln2',
    '1.fn.fn.net.0': 'ffn.layers.0.0',
    '1.fn.fn.net.3': 'ffn.layers.1',
}
TOP_KEYS = {
    'cls_token': 'backbone.cls_token',
    'pos_embedding': 'backbone.pos_embed',
    'patch_to_embedding.bias': 'backbone.patch_embed.projection.bias',
    'mlp_head.0.weight': 'backbone.ln1.weight',
    'mlp_head.0.bias': 'backbone.ln1.bias',
    'loss.weight': 'head.weight',
}
LAYER_KEY = re.compile(r'transformer\.layers\.(\d+)\.(.+)\.(\w+)')


def official_state_dict(checkpoint):
    """The tensors of an official checkpoint, without ``module.``."""
    state = checkpoint
    for wrapper in ('state_dict', 'model'):
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    if not isinstance(state, dict) or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError('expected a state dict of tensors (optionally under '
                         '"state_dict" or "model")')
    return OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in state.items())


def patch_linear_to_conv(weight, channels=3):
    """(D, p*p*c) over ``(p1 p2 c)``-flattened patches -> conv (D, c, p, p)."""
    dims, patch_dim = weight.shape
    patch = round((patch_dim // channels) ** 0.5)
    if patch * patch * channels != patch_dim:
        raise ValueError(f'patch_to_embedding.weight has {patch_dim} inputs, '
                         f'not {channels} x p x p')
    return weight.reshape(dims, patch, patch, channels).permute(0, 3, 1, 2)


def fold_lora(state, lora, lora_alpha):
    """Drop the adapters (``merged``) or add ``lora_alpha / r * B A`` into
    their weights (``unmerged``; loralib's scaling, r = rows of A)."""
    adapters = sorted({k.rsplit('.', 1)[0] for k in state
                       if k.endswith(('.lora_A', '.lora_B'))})
    for module in adapters:
        lora_a = state.pop(f'{module}.lora_A')
        lora_b = state.pop(f'{module}.lora_B')
        if lora == 'merged':
            continue
        weight = state[f'{module}.weight']
        if lora_a.shape[0] != lora_b.shape[1] or lora_b.shape[0] != \
                weight.shape[0]:
            if not lora_b.any():
                continue  # a zero adapter changes nothing
            raise ValueError(
                f'{module} has a grouped (loralib MergedLinear) adapter '
                f'{tuple(lora_a.shape)} / {tuple(lora_b.shape)} that is not '
                'zero; merging it is not supported')
        scaling = lora_alpha / lora_a.shape[0]
        state[f'{module}.weight'] = weight + scaling * lora_b @ lora_a
    return state


def convert_face_transformer(checkpoint, lora='merged', lora_alpha=1.0,
                             attn_scale='embed_dims', num_heads=8):
    """Official Face Transformer state (or checkpoint) -> mmforget keys."""
    if lora not in ('merged', 'unmerged'):
        raise ValueError(f"lora must be 'merged' or 'unmerged', got {lora!r}")
    state = official_state_dict(checkpoint)
    if 'loss.bias' in state:
        raise ValueError('the checkpoint has a Softmax head (loss.bias); only '
                         'CosFace / ArcFace heads convert to MarginCosineHead')
    state = fold_lora(state, lora, lora_alpha)
    converted = OrderedDict()
    unknown = []
    for key, value in state.items():
        if key in TOP_KEYS:
            converted[TOP_KEYS[key]] = value
        elif key == 'patch_to_embedding.weight':
            converted['backbone.patch_embed.projection.weight'] = \
                patch_linear_to_conv(value).contiguous()
        elif (match := LAYER_KEY.fullmatch(key)) and \
                match.group(2) in LAYER_KEYS:
            layer, module, param = match.groups()
            converted[f'backbone.layers.{layer}.{LAYER_KEYS[module]}.'
                      f'{param}'] = value
        else:
            unknown.append(key)
    if unknown:
        raise ValueError(
            f'{len(unknown)} keys are not in the Face Transformer (ViT_face) '
            f'layout: {", ".join(unknown[:5])}' +
            (' ...' if len(unknown) > 5 else ''))
    if attn_scale == 'head_dims':
        fold_query_scale(converted, num_heads)
    elif attn_scale != 'embed_dims':
        raise ValueError("attn_scale must be 'embed_dims' or 'head_dims', got "
                         f'{attn_scale!r}')
    return converted


def fold_query_scale(converted, num_heads):
    """Scale the query rows so that ``head_dims ** -0.5`` attention computes
    the papers' ``embed_dims ** -0.5`` one (the qkv layer has no bias)."""
    for key in [k for k in converted if k.endswith('.attn.qkv.weight')]:
        qkv = converted[key].clone()
        embed_dims = qkv.shape[0] // 3
        if embed_dims % num_heads:
            raise ValueError(f'{embed_dims} dims do not split into '
                             f'{num_heads} heads')
        qkv[:embed_dims] *= (embed_dims // num_heads / embed_dims) ** 0.5
        converted[key] = qkv


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='official checkpoint (.pth)')
    parser.add_argument('dst', help='mmforget checkpoint to write (.pth)')
    parser.add_argument('--lora', choices=('merged', 'unmerged'),
                        default='merged',
                        help='whether loralib already merged the adapters '
                        'into the weights (official saves: merged)')
    parser.add_argument('--lora-alpha', type=float, default=1.0,
                        help="loralib's lora_alpha, for --lora unmerged")
    parser.add_argument('--attn-scale', choices=('embed_dims', 'head_dims'),
                        default='embed_dims',
                        help="the target backbone's attention scale")
    parser.add_argument('--num-heads', type=int, default=8)
    parser.add_argument('--force', action='store_true',
                        help='overwrite dst if it exists')
    args = parser.parse_args()
    if osp.exists(args.dst) and not args.force:
        parser.error(f'{args.dst} exists; pass --force to overwrite it')
    try:
        # Tensors only: a released checkpoint runs no code when loaded.
        checkpoint = torch.load(args.src, map_location='cpu',
                                weights_only=True)
    except Exception as error:
        raise SystemExit(f'cannot load {args.src} as plain tensors '
                         f'(weights_only=True): {error}')
    try:
        state = convert_face_transformer(
            checkpoint, lora=args.lora, lora_alpha=args.lora_alpha,
            attn_scale=args.attn_scale, num_heads=args.num_heads)
    except ValueError as error:
        raise SystemExit(f'{args.src}: {error}')
    depth = len({k.split('.')[2] for k in state
                 if k.startswith('backbone.layers.')})
    meta = dict(converted_from=osp.basename(args.src), depth=depth,
                attn_scale=args.attn_scale)
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(dict(state_dict=state, meta=meta), args.dst + '.tmp')
    os.replace(args.dst + '.tmp', args.dst)
    print(f'converted {len(state)} tensors ({depth} blocks) to {args.dst}')


if __name__ == '__main__':
    main()
