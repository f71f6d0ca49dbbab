"""A small COCO-format detection dataset of simple shapes, made on the spot.

Deterministic for a seed: grey-noise backgrounds with 1-4 coloured shapes
(circle, square, triangle, cross, ring) of 10-28 px, placed without much
overlap. It is the detection counterpart of the digits: real enough to
train and forget a tiny detector on a CPU, with nothing to download.
"""
import json
import os
import os.path as osp

import numpy as np
from PIL import Image, ImageDraw

SHAPE_CLASSES = ('circle', 'square', 'triangle', 'cross', 'ring')


def _draw(draw, shape, box, color):
    x0, y0, x1, y1 = box
    if shape == 'circle':
        draw.ellipse(box, fill=color)
    elif shape == 'square':
        draw.rectangle(box, fill=color)
    elif shape == 'triangle':
        draw.polygon([((x0 + x1) / 2, y0), (x1, y1), (x0, y1)], fill=color)
    elif shape == 'cross':
        w, h = x1 - x0, y1 - y0
        draw.rectangle((x0 + w / 3, y0, x1 - w / 3, y1), fill=color)
        draw.rectangle((x0, y0 + h / 3, x1, y1 - h / 3), fill=color)
    elif shape == 'ring':
        width = max(2, int((x1 - x0) / 5))
        draw.ellipse(box, outline=color, width=width)


def _overlaps(box, boxes, max_iou=0.1):
    for other in boxes:
        ix = max(0, min(box[2], other[2]) - max(box[0], other[0]))
        iy = max(0, min(box[3], other[3]) - max(box[1], other[1]))
        inter = ix * iy
        union = ((box[2] - box[0]) * (box[3] - box[1]) +
                 (other[2] - other[0]) * (other[3] - other[1]) - inter)
        if inter / union > max_iou:
            return True
    return False


def make_shapes_split(root, split, num_images, seed, image_size=64,
                      max_objects=4, classes=SHAPE_CLASSES):
    """Write ``root/<split>/*.png`` and ``root/annotations/<split>.json``."""
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, split), exist_ok=True)
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    images, annotations = [], []
    for image_id in range(num_images):
        background = rng.integers(60, 120, (image_size, image_size, 3))
        image = Image.fromarray(background.astype(np.uint8))
        draw = ImageDraw.Draw(image)
        boxes = []
        for _ in range(int(rng.integers(1, max_objects + 1))):
            for _attempt in range(20):
                size = int(rng.integers(10, 29))
                x0 = int(rng.integers(0, image_size - size))
                y0 = int(rng.integers(0, image_size - size))
                box = (x0, y0, x0 + size, y0 + size)
                if not _overlaps(box, boxes):
                    break
            else:
                continue
            boxes.append(box)
            label = int(rng.integers(len(classes)))
            color = tuple(int(c) for c in rng.integers(150, 256, 3))
            _draw(draw, classes[label], box, color)
            annotations.append(dict(
                id=len(annotations) + 1, image_id=image_id,
                category_id=label + 1, iscrowd=0, area=float(size * size),
                bbox=[float(x0), float(y0), float(size), float(size)]))
        file_name = f'{split}/{image_id:05d}.png'
        image.save(osp.join(root, file_name))
        images.append(dict(id=image_id, file_name=file_name,
                           width=image_size, height=image_size))
    coco = dict(images=images, annotations=annotations,
                categories=[dict(id=i + 1, name=n)
                            for i, n in enumerate(classes)])
    path = osp.join(root, 'annotations', f'{split}.json')
    with open(path, 'w') as f:
        json.dump(coco, f)
    return path
