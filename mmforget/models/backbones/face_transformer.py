"""The GS-LoRA papers' Face Transformer as an mmpretrain backbone.

A pre-norm ViT on 112x112 aligned faces: patch 8 (196 patches + CLS),
width 512, 8 heads of 64, MLP 2048, GELU, dropout 0.1, and 6 blocks (the
papers also try 12 and 18). The embedding is LayerNorm of the CLS token.
It is mmpretrain's VisionTransformer with these settings (a strided conv
patch embedding is the same map as the papers' linear on flattened
patches), so LoRA targets the same ``layers.N.ffn`` linears as any ViT.
"""
from mmpretrain.models import VisionTransformer
from mmpretrain.registry import MODELS


@MODELS.register_module()
class FaceTransformer(VisionTransformer):
    """Face Transformer "P8S8".

    Args:
        depth (int): number of blocks (papers: 6).
        embed_dims, num_heads, feedforward_channels (int): 512, 8, 2048.
        **kwargs: other ``VisionTransformer`` arguments.
    """

    def __init__(self, depth=6, embed_dims=512, num_heads=8,
                 feedforward_channels=2048, img_size=112, patch_size=8,
                 drop_rate=0.1, qkv_bias=False, **kwargs):
        kwargs.setdefault('out_type', 'cls_token')
        kwargs.setdefault('final_norm', True)
        super().__init__(
            arch=dict(embed_dims=embed_dims, num_layers=depth,
                      num_heads=num_heads,
                      feedforward_channels=feedforward_channels),
            img_size=img_size, patch_size=patch_size, drop_rate=drop_rate,
            qkv_bias=qkv_bias, **kwargs)
