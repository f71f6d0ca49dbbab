"""Where the LoRA presets put adapters, and how much of each model trains.

    python tools/lora_presets_table.py [--rank 8]

Builds every supported family at its base size from mmpretrain's and mmdet's
own configs (random weights, nothing is downloaded), injects the preset and
prints a Markdown table: blocks (= sparse groups), adapted linears, LoRA
parameters and their share of the model.
"""
import argparse
import os.path as osp
import tempfile
import warnings

warnings.filterwarnings('ignore')

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402

import mmforget  # noqa: E402,F401
from mmforget.benchmarks.tables import publish  # noqa: E402
from mmforget.lora import lora_modules, lora_parameter_count  # noqa: E402

FAMILIES = [
    ('ViT-B/16', 'mmpretrain',
     'vision_transformer/vit-base-p16_64xb64_in1k.py'),
    ('DeiT-B (distilled)', 'mmpretrain',
     'deit/deit-base-distilled_16xb64_in1k.py'),
    ('DeiT-3-B', 'mmpretrain', 'deit3/deit3-base-p16_64xb64_in1k.py'),
    ('BEiT-B (BEiT v2, EVA)', 'mmpretrain',
     'beit/benchmarks/beit-base-p16_8xb64_in1k.py'),
    ('EVA-02-B', 'mmpretrain', 'eva02/eva02-base-p14_in1k.py'),
    ('Swin-B', 'mmpretrain', 'swin_transformer/swin-base_16xb64_in1k.py'),
    ('Swin V2-B', 'mmpretrain',
     'swin_transformer_v2/swinv2-base-w16_16xb64_in1k-256px.py'),
    ('ConvNeXt-B', 'mmpretrain', 'convnext/convnext-base_32xb128_in1k.py'),
    ('DETR R50', 'mmdet', 'detr/detr_r50_8xb2-150e_coco.py'),
    ('Conditional DETR R50', 'mmdet',
     'conditional_detr/conditional-detr_r50_8xb2-50e_coco.py'),
    ('DAB-DETR R50', 'mmdet', 'dab_detr/dab-detr_r50_8xb2-50e_coco.py'),
    ('Deformable DETR R50', 'mmdet',
     'deformable_detr/deformable-detr_r50_16xb2-50e_coco.py'),
    ('Deformable DETR R50 refine two-stage', 'mmdet',
     'deformable_detr/deformable-detr-refine-twostage_r50_16xb2-50e_coco.py'),
    ('DINO-4scale R50', 'mmdet', 'dino/dino-4scale_r50_8xb2-12e_coco.py'),
]


def forgetting_model(scope, path, rank):
    """The family's forgetting model built from ``scope::path``."""
    with tempfile.TemporaryDirectory() as tmp:
        config = osp.join(tmp, 'config.py')
        with open(config, 'w') as f:
            f.write(f"_base_ = '{scope}::{path}'\n")
        model_cfg = Config.fromfile(config).model
    model_cfg.pop('init_cfg', None)
    model_cfg.backbone.pop('init_cfg', None)
    if scope == 'mmpretrain':
        from mmpretrain.registry import MODELS
        model_cfg.type = 'ForgettingClassifier'
    else:
        from mmdet.registry import MODELS
        model_cfg.type = f'Forgetting{model_cfg.type}'
    model_cfg.lora = dict(rank=rank)
    with DefaultScope.overwrite_default_scope(scope):
        return MODELS.build(model_cfg)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rank', type=int, default=8)
    parser.add_argument('--results', metavar='PAGE:NAME',
                        help='also write the table into this results page '
                        'section (docs/en/results/PAGE)')
    args = parser.parse_args()
    torch.manual_seed(0)
    lines = [f'| family (config) | blocks = groups | adapted linears | '
             f'LoRA params (r={args.rank}) | model params | trainable |',
             '|---|---:|---:|---:|---:|---:|']
    print('\n'.join(lines))
    for name, scope, path in FAMILIES:
        model = forgetting_model(scope, path, args.rank)
        lora = lora_parameter_count(model)
        total = model.base_param_count
        lines.append(f'| {name} (`{scope}::{path}`) | '
                     f'{len(model.lora_groups)} | '
                     f'{len(lora_modules(model))} | {lora:,} | {total:,} | '
                     f'{100 * lora / total:.2f}% |')
        print(lines[-1], flush=True)
    publish(args.results, '\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
