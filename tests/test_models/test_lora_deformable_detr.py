"""LoRA on mmdet's Deformable DETR: the 24 FFN linears, 12 groups, exact
merges on detections."""
import copy

import torch
import torch.nn as nn
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mmforget.lora import LoRALinear, inject_lora, merge_lora

DETR_FFN = r'((?:encoder|decoder)\.layers\.\d+)\.ffn\.layers\.(?:0\.0|1)'


def tiny_deformable_detr(tmp_path):
    config = tmp_path / 'detr.py'
    config.write_text("_base_ = 'mmdet::deformable_detr/"
                      "deformable-detr_r50_16xb2-50e_coco.py'\n")
    cfg = Config.fromfile(str(config))
    cfg.model.backbone.depth = 18
    cfg.model.backbone.init_cfg = None
    cfg.model.neck.in_channels = [128, 256, 512]
    cfg.model.bbox_head.num_classes = 3
    cfg.model.num_queries = 20
    cfg.model.test_cfg.max_per_img = 10
    register_all_modules()
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    return model.eval()


def test_injection_finds_exactly_the_24_ffn_linears(tmp_path):
    model = tiny_deformable_detr(tmp_path)
    groups = inject_lora(model, DETR_FFN, rank=8)
    assert list(groups) == [f'encoder.layers.{i}' for i in range(6)] + [
        f'decoder.layers.{i}' for i in range(6)]
    wrapped = [n for n, m in model.named_modules()
               if isinstance(m, LoRALinear)]
    assert len(wrapped) == 24
    assert not any('attn' in n or 'proj' in n for n in wrapped)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable == 12 * (8 * 256 + 1024 * 8 + 8 * 1024 + 256 * 8)


def test_merged_detr_gives_the_same_detections(tmp_path):
    model = tiny_deformable_detr(tmp_path)
    inject_lora(model, DETR_FFN, rank=8)
    torch.manual_seed(1)
    for name, param in model.named_parameters():
        if 'lora_B' in name:
            nn.init.normal_(param, std=0.05)
    packed = demo_mm_inputs(2, [[3, 64, 64], [3, 64, 80]], num_classes=3)
    data = model.data_preprocessor(packed, False)

    def detections(m):
        with torch.no_grad():
            results = m.predict(data['inputs'], copy.deepcopy(
                data['data_samples']))
        return [(r.pred_instances.scores, r.pred_instances.bboxes)
                for r in results]

    before = detections(model)
    merge_lora(model)
    after = detections(model)
    for (s0, b0), (s1, b1) in zip(before, after):
        torch.testing.assert_close(s1, s0, atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(b1, b0, atol=1e-3, rtol=1e-4)
