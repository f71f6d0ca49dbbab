"""Where GS-LoRA puts its adapters in the model families OpenMMLab users have.

GS-LoRA adapts the two FFN linears of every transformer block, one sparse
group per block. Each preset is the regular expression (over full module
names) that finds them in one family; its capture group names the block.
Everything else, the class heads included (DeiT's ``head_dist`` and DINO's
denoising ``label_embedding`` too), stays frozen: ``inject_lora`` trains only
the adapters.

Presets are looked up by the class of the classifier's backbone or of the
detector, walking up its base classes, so subclasses (mmforget's
``FaceTransformer``, mmdet's ``DDQDETR``) find their family's preset. Passing
``lora.targets`` regexes overrides the preset.
"""
# The two linears of mmcv's FFN (``layers.0.0``, ``layers.1``) or of
# mmpretrain's SwiGLU FFNs (``w12``, ``w3``: DINOv2-g's fused FFN).
_VIT = r'backbone\.layers\.(\d+)\.ffn\.(?:layers\.(?:0\.0|1)|w12|w3)'
# Swin V2's attention also has linears (``attn.w_msa.cpb_mlp``): anchoring
# at ``ffn`` leaves them out.
_SWIN = r'backbone\.(stages\.\d+\.blocks\.\d+)\.ffn\.layers\.(?:0\.0|1)'
# Every DETR variant: 6 encoder + 6 decoder layers, 12 groups. Anchoring at
# ``encoder``/``decoder`` leaves the box FFN (``bbox_head.reg_ffn``) out.
_DETR = r'((?:encoder|decoder)\.layers\.\d+)\.ffn\.layers\.(?:0\.0|1)'

CLASSIFIER_PRESETS = {
    'VisionTransformer': [_VIT],
    'DistilledVisionTransformer': [_VIT],  # DeiT
    'DeiT3': [_VIT],
    'BEiTViT': [_VIT],  # BEiT, BEiT v2, EVA
    'ViTEVA02': [r'backbone\.layers\.(\d+)\.mlp\.(?:w12|w3)'],
    'SwinTransformer': [_SWIN],
    'SwinTransformerV2': [_SWIN],
    # ConvNeXt's pointwise convolutions are linears (linear_pw_conv=True).
    'ConvNeXt': [r'backbone\.(stages\.\d+\.\d+)\.pointwise_conv[12]'],
}
DETECTOR_PRESETS = {
    name: [_DETR] for name in ('DETR', 'ConditionalDETR', 'DABDETR',
                               'DeformableDETR', 'DINO')
}


def _preset_of(cls, presets):
    for base in cls.__mro__:
        if base.__name__ in presets:
            return list(presets[base.__name__])
    return None


def classifier_lora_targets(classifier):
    """The preset targets of an mmpretrain classifier's backbone."""
    backbone = type(classifier.backbone)
    targets = _preset_of(backbone, CLASSIFIER_PRESETS)
    if targets is None:
        raise ValueError(
            f'no LoRA preset for the backbone {backbone.__name__}; known: '
            f'{", ".join(CLASSIFIER_PRESETS)}. Pass lora.targets, regexes '
            'over the FFN linears of model.named_modules(), with the block '
            r'as capture group, e.g. r"backbone\.layers\.(\d+)\.ffn\.'
            r'layers\.(?:0\.0|1)"')
    if any(getattr(m, 'linear_pw_conv', True) is False
           for m in classifier.backbone.modules()):
        raise ValueError(
            'ConvNeXt with linear_pw_conv=False has 1x1 convolutions, not '
            'linears, as its pointwise layers; LoRA needs '
            'backbone.linear_pw_conv=True (the default)')
    return targets


def detector_lora_targets(detector):
    """The preset targets of an mmdet DETR-family detector."""
    targets = _preset_of(type(detector), DETECTOR_PRESETS)
    if targets is None:
        raise ValueError(
            f'no LoRA preset for the detector {type(detector).__name__}; '
            f'known: {", ".join(DETECTOR_PRESETS)}. Pass lora.targets.')
    return targets
