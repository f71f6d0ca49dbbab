from .forgetting_classifier import ForgettingClassifier
from .gated_adapter_classifier import GatedAdapterClassifier, RequestGate

__all__ = ['ForgettingClassifier', 'GatedAdapterClassifier', 'RequestGate']
