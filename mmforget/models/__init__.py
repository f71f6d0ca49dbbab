from .backbones import FaceTransformer
from .classifiers import (ForgettingClassifier, GatedAdapterClassifier,
                          RequestGate)
from .detectors import (ForgettingConditionalDETR, ForgettingDABDETR,
                        ForgettingDeformableDETR, ForgettingDETR,
                        ForgettingDINO)
from .interface import (ClassifierModel, DETRModel, ForgettingModel,
                        model_kind)
from .lora_forgetting_model import LoRAForgettingMixin
from .heads import MarginCosineHead
from .losses import (BoundedForgetLoss, PrototypeLoss, prototype_kl,
                     value_for_task)
from .pretrained_loading import load_plain_checkpoint

__all__ = [
    'FaceTransformer', 'MarginCosineHead', 'PrototypeLoss', 'prototype_kl',
    'ForgettingClassifier', 'GatedAdapterClassifier', 'RequestGate',
    'ForgettingDeformableDETR', 'ForgettingDETR',
    'ForgettingConditionalDETR', 'ForgettingDABDETR', 'ForgettingDINO',
    'LoRAForgettingMixin', 'ForgettingModel', 'ClassifierModel', 'DETRModel',
    'model_kind',
    'BoundedForgetLoss', 'value_for_task', 'load_plain_checkpoint'
]
