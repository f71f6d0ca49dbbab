"""Images a model never learnt: every square tile turned a quarter turn.

The relearning attack's control learns such glyphs into the forgotten rows
(``RelearnCurve``'s turned modes), and MetaUnlearn reads them as the images
a forgotten class should come to look like.
"""
import torch


def turn_tiles(image):
    """Every square tile of a ``(..., H, W)`` image (``W`` a multiple of
    ``H``) turned a quarter turn in place: each digit of a number."""
    height, width = image.shape[-2:]
    if width % height:
        raise ValueError(
            f'turning tiles needs an image that is a row of square tiles, '
            f'and {height}x{width} is no row of squares: use the plain '
            'relearning modes (or, for MetaUnlearn, images whose width is a '
            'multiple of their height)')
    return torch.cat([tile.rot90(1, dims=(-2, -1))
                      for tile in image.split(height, dim=-1)], dim=-1)
