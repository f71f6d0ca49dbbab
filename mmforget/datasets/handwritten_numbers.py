"""100 handwritten two-digit numbers, "00" to "99", from scikit-learn's digits.

Each image is a real handwritten tens digit beside a real handwritten units
digit (8x16 grey). Classes share their digits with look-alikes: forgetting
"37" while keeping "38", "73" and "27" is the analogue of forgetting one
identity among similar faces, and 100 classes allow the papers' 4 x 20
continual protocol. It ships with scikit-learn, so nothing is downloaded.

A split's images are built only from that split's digit images (the fixed
60/20/20 split of :class:`DigitsDataset`), so no handwritten digit appears
in two splits. Within a class, the (tens, units) pairs are distinct and
drawn with a seeded generator: the same arguments give the same images.
"""
import numpy as np
from mmpretrain.datasets import BaseDataset

from mmforget.registry import DATASETS
from .digits import SPLITS, digits_split_indices, load_digit_images

# Enough for a 6-block ViT to reach 80-97% (train), for model selection
# (val) and for per-class accuracies in steps of 3.3% (test).
DEFAULT_PER_CLASS = dict(train=100, val=20, test=30)


def sample_number_pairs(pool_labels, pool_indices, per_class, rng):
    """For each number 0-99, ``per_class`` distinct (tens, units) pairs of
    digit indices from the pool."""
    by_digit = {d: pool_indices[pool_labels == d] for d in range(10)}
    pairs = []
    for number in range(100):
        tens, units = by_digit[number // 10], by_digit[number % 10]
        combinations = len(tens) * len(units)
        if per_class > combinations:
            raise ValueError(
                f'{per_class} images per class asked, but number '
                f'{number:02d} has only {combinations} distinct digit pairs '
                'in this split; lower per_class')
        flat = rng.choice(combinations, per_class, replace=False)
        pairs.append(np.stack([tens[flat // len(units)],
                               units[flat % len(units)]], 1))
    return pairs


@DATASETS.register_module()
class HandwrittenNumbersDataset(BaseDataset):
    """Two-digit numbers "00"-"99" as uint8 8x16 grey images.

    Args:
        split (str): 'train', 'val' or 'test'.
        per_class (int, optional): images per number; default 100 / 20 / 30
            for train / val / test.
        seed (int): seed of the pairing (each split draws from its own
            stream).
        split_seed (int): seed of the underlying digits' 60/20/20 split.
    """
    METAINFO = {'classes': tuple(f'{n:02d}' for n in range(100))}

    def __init__(self, split='train', per_class=None, seed=0, split_seed=0,
                 **kwargs):
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        self.split = split
        self.per_class = per_class or DEFAULT_PER_CLASS[split]
        self.seed = seed
        self.split_seed = split_seed
        kwargs.setdefault('ann_file', '')
        super().__init__(**kwargs)

    def load_data_list(self):
        images, labels = load_digit_images()
        pool = np.asarray(digits_split_indices(labels, self.split,
                                               seed=self.split_seed))
        rng = np.random.default_rng([self.seed, SPLITS.index(self.split)])
        pairs = sample_number_pairs(labels[pool], pool, self.per_class, rng)
        return [dict(img=np.concatenate([images[t], images[u]], axis=1),
                     gt_label=number, digits_indices=(int(t), int(u)))
                for number, number_pairs in enumerate(pairs)
                for t, u in number_pairs]
