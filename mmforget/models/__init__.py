from .classifiers import VIT_FFN_TARGETS, ForgettingClassifier
from .lora_forgetting_model import LoRAForgettingMixin
from .losses import BoundedForgetLoss, value_for_task
from .pretrained_loading import load_plain_checkpoint

__all__ = [
    'ForgettingClassifier', 'VIT_FFN_TARGETS', 'LoRAForgettingMixin',
    'BoundedForgetLoss', 'value_for_task', 'load_plain_checkpoint'
]
