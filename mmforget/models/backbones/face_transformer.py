"""The GS-LoRA papers' Face Transformer as an mmpretrain backbone.

A pre-norm ViT on 112x112 aligned faces: patch 8 (196 patches + CLS),
width 512, 8 heads of 64, MLP 2048, GELU, dropout 0.1, and 6 blocks (the
papers also try 12 and 18). The embedding is LayerNorm of the CLS token.
It is mmpretrain's VisionTransformer with these settings (a strided conv
patch embedding is the same map as the papers' linear on flattened
patches), so LoRA targets the same ``layers.N.ffn`` linears as any ViT.

Two details make it the papers' function rather than a look-alike: their
attention scales q.k by ``embed_dims ** -0.5`` (512: 0.0442) where
mmpretrain uses ``head_dims ** -0.5`` (64: 0.125, 2.8x sharper), and their
LayerNorms use torch's default eps 1e-5 (mmpretrain: 1e-6). Both are the
defaults here and options, so mmpretrain's behaviour stays available.
"""
from functools import partial

import torch.nn.functional as F
from mmpretrain.models import VisionTransformer
from mmpretrain.registry import MODELS

ATTN_SCALES = ('embed_dims', 'head_dims')


def attention_scale(attn_scale, embed_dims, num_heads):
    """The factor on q.k for ``attn_scale`` ('embed_dims', 'head_dims' or a
    number)."""
    if attn_scale == 'embed_dims':
        return embed_dims ** -0.5
    if attn_scale == 'head_dims':
        return (embed_dims // num_heads) ** -0.5
    if isinstance(attn_scale, (int, float)) and attn_scale > 0:
        return float(attn_scale)
    raise ValueError(
        f'attn_scale must be one of {ATTN_SCALES} or a positive number, got '
        f'{attn_scale!r}')


@MODELS.register_module()
class FaceTransformer(VisionTransformer):
    """Face Transformer "P8S8".

    Args:
        depth (int): number of blocks (papers: 6).
        embed_dims, num_heads, feedforward_channels (int): 512, 8, 2048.
        attn_scale (str | float): the factor on q.k. 'embed_dims' (papers,
            ``embed_dims ** -0.5``), 'head_dims' (mmpretrain's ViT,
            ``(embed_dims / num_heads) ** -0.5``) or a number.
        norm_eps (float): LayerNorm eps (papers: 1e-5; mmpretrain's ViT
            1e-6). Ignored when ``norm_cfg`` is given.
        **kwargs: other ``VisionTransformer`` arguments.
    """

    def __init__(self, depth=6, embed_dims=512, num_heads=8,
                 feedforward_channels=2048, img_size=112, patch_size=8,
                 drop_rate=0.1, qkv_bias=False, attn_scale='embed_dims',
                 norm_eps=1e-5, **kwargs):
        kwargs.setdefault('out_type', 'cls_token')
        kwargs.setdefault('final_norm', True)
        kwargs.setdefault('norm_cfg', dict(type='LN', eps=norm_eps))
        scale = attention_scale(attn_scale, embed_dims, num_heads)
        super().__init__(
            arch=dict(embed_dims=embed_dims, num_layers=depth,
                      num_heads=num_heads,
                      feedforward_channels=feedforward_channels),
            img_size=img_size, patch_size=patch_size, drop_rate=drop_rate,
            qkv_bias=qkv_bias, **kwargs)
        self.attn_scale = scale
        # mmpretrain's own ``qk_scale`` argument is not usable: in 1.2.0 it
        # divides by head_dims ** -0.5 whatever value is given.
        for layer in self.layers:
            layer.attn.scaled_dot_product_attention = partial(
                F.scaled_dot_product_attention, scale=scale)
