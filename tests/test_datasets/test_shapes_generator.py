"""The generated shapes detection data: deterministic, valid COCO."""
import json

from mmdet.datasets import CocoDataset

from mmforget.datasets.shapes_generator import (SHAPE_CLASSES,
                                                make_shapes_split)


def test_same_seed_same_data_and_valid_boxes(tmp_path):
    a = make_shapes_split(str(tmp_path / 'a'), 'train', 12, seed=3)
    b = make_shapes_split(str(tmp_path / 'b'), 'train', 12, seed=3)
    assert open(a).read() == open(b).read()
    assert (tmp_path / 'a' / 'train' / '00000.png').read_bytes() == \
        (tmp_path / 'b' / 'train' / '00000.png').read_bytes()
    coco = json.load(open(a))
    assert len(coco['images']) == 12
    assert 12 <= len(coco['annotations']) <= 48
    for ann in coco['annotations']:
        x, y, w, h = ann['bbox']
        assert 0 <= x and 0 <= y and x + w <= 64 and y + h <= 64
        assert 1 <= ann['category_id'] <= len(SHAPE_CLASSES)


def test_loads_as_an_mmdet_coco_dataset(tmp_path):
    make_shapes_split(str(tmp_path), 'val', 6, seed=0)
    dataset = CocoDataset(
        data_root=str(tmp_path), ann_file='annotations/val.json',
        data_prefix=dict(img=''), metainfo=dict(classes=SHAPE_CLASSES),
        test_mode=True, pipeline=[])
    assert len(dataset) == 6
    assert dataset.get_data_info(0)['instances']


def test_tiny_deformable_detr_config_builds_and_steps(tmp_path):
    import os.path as osp

    import torch
    from mmdet.testing import demo_mm_inputs
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope

    from conftest import REPO_ROOT
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/pretrain/deformable-detr-tiny_shapes.py'))
    register_all_modules()
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    data = model.data_preprocessor(
        demo_mm_inputs(2, [[3, 64, 64]] * 2, num_classes=5), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert torch.isfinite(total)
    assert model.bbox_head.cls_branches[0].out_features == 5
