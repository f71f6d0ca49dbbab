"""scikit-learn's bundled handwritten digits as an mmpretrain dataset.

1797 real 8x8 grey images of 10 classes ship inside scikit-learn, so the
default demo and the tests run with no download. The train / val / test split
is stratified and fixed by ``split_seed``.
"""
import numpy as np
from mmpretrain.datasets import BaseDataset

from mmforget.registry import DATASETS

SPLITS = ('train', 'val', 'test')


def load_digit_images():
    """scikit-learn's 1797 digits as uint8 8x8 images, and their labels."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    images = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    return images, digits.target


def digits_split_indices(labels, split, ratios=(0.6, 0.2, 0.2), seed=0):
    """Indices of one split, taken per class so every split has every digit."""
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_train = int(round(ratios[0] * len(members)))
        n_val = int(round(ratios[1] * len(members)))
        bounds = {'train': (0, n_train), 'val': (n_train, n_train + n_val),
                  'test': (n_train + n_val, len(members))}[split]
        chosen.extend(members[bounds[0]:bounds[1]].tolist())
    return sorted(chosen)


@DATASETS.register_module()
class DigitsDataset(BaseDataset):
    """Handwritten digits 0-9 as uint8 8x8 grey images.

    Args:
        split (str): 'train', 'val' or 'test'.
        split_seed (int): seed of the fixed stratified 60/20/20 split.
    """
    METAINFO = {'classes': tuple(str(d) for d in range(10))}

    def __init__(self, split='train', split_seed=0, **kwargs):
        self.split = split
        self.split_seed = split_seed
        kwargs.setdefault('ann_file', '')
        super().__init__(**kwargs)

    def load_data_list(self):
        images, labels = load_digit_images()
        indices = digits_split_indices(labels, self.split,
                                       seed=self.split_seed)
        return [dict(img=images[i], gt_label=int(labels[i]),
                     digits_index=i) for i in indices]
