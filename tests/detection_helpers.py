"""Small detection set-ups shared by the detection tests."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mmforget.datasets.shapes_generator import SHAPE_CLASSES, make_shapes_split

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHAPES_CONFIG = osp.join(REPO_ROOT,
                         'configs/pretrain/deformable-detr-tiny_shapes.py')


def build_forgetting_detr(forget_loss=dict(type='mmforget.BoundedForgetLoss',
                                          bound=15.0, loss_weight=0.15),
                          prototype_loss=None, forget_scope='all',
                          **model_overrides):
    """The tiny shapes ForgettingDeformableDETR with rank-8 LoRA, randomly
    initialised, its loss the GS-LoRA method's with these losses."""
    from mmforget.registry import METHODS
    cfg = Config.fromfile(SHAPES_CONFIG)
    cfg.model.type = 'ForgettingDeformableDETR'
    cfg.model.lora = dict(rank=8)
    cfg.model.update(model_overrides)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    model.attach_method(METHODS.build(dict(
        type='mmforget.GSLoRA', forget_loss=forget_loss,
        prototype_loss=prototype_loss, forget_scope=forget_scope)))
    return model


def make_shapes(root, train=24, val=12):
    """A few generated shapes images in COCO format under ``root``."""
    make_shapes_split(str(root), 'train', train, seed=0)
    make_shapes_split(str(root), 'val', val, seed=1)
    return str(root)


def shapes_dataset(root, split='train', pipeline=None):
    """mmdet's CocoDataset over generated shapes data."""
    from mmdet.datasets import CocoDataset
    if pipeline is None:
        pipeline = [dict(type='LoadImageFromFile'),
                    dict(type='LoadAnnotations', with_bbox=True),
                    dict(type='PackDetInputs')]
    with DefaultScope.overwrite_default_scope('mmdet'):
        return CocoDataset(
            data_root=str(root), ann_file=f'annotations/{split}.json',
            data_prefix=dict(img=''), metainfo=dict(classes=SHAPE_CLASSES),
            pipeline=pipeline, filter_cfg=dict(filter_empty_gt=False))


def data_options(root):
    """--cfg-options pointing a shapes continual config at the data under
    ``root``, read in the main process."""
    return [f'train_dataloader.dataset.dataset.data_root={root}/',
            f'test_dataloader.dataset.data_root={root}/',
            f'test_evaluator.0.ann_file={root}/annotations/val.json',
            ] + [f'{split}_dataloader.{key}' for split in ('train', 'test')
                 for key in ('num_workers=0', 'persistent_workers=False')]


def short_shapes_run(config, work_dir, root):
    """A GS-LoRA shapes config through tools/train.py from random weights,
    one short epoch per task, on the data under ``root``."""
    from conftest import call_tool
    code, out, err = call_tool(
        ['tools/train.py', config, '--work-dir', str(work_dir),
         '--cfg-options', 'model.pretrained=None', 'train_cfg.max_epochs=1',
         'train_dataloader.batch_size=4',
         'train_dataloader.dataset.forget_rate=0.5',
         'train_dataloader.dataset.mem_rate=0.3'] + data_options(root))
    assert code == 0, (out + err)[-3000:]
