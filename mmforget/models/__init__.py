from .backbones import FaceTransformer
from .classifiers import VIT_FFN_TARGETS, ForgettingClassifier
from .detectors import DETR_FFN_TARGETS, ForgettingDeformableDETR
from .lora_forgetting_model import LoRAForgettingMixin
from .heads import MarginCosineHead
from .losses import (BoundedForgetLoss, PrototypeLoss, prototype_kl,
                     value_for_task)
from .pretrained_loading import load_plain_checkpoint

__all__ = [
    'FaceTransformer', 'MarginCosineHead', 'PrototypeLoss', 'prototype_kl',
    'ForgettingClassifier', 'VIT_FFN_TARGETS', 'ForgettingDeformableDETR',
    'DETR_FFN_TARGETS', 'LoRAForgettingMixin',
    'BoundedForgetLoss', 'value_for_task', 'load_plain_checkpoint'
]
