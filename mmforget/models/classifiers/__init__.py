from .forgetting_classifier import VIT_FFN_TARGETS, ForgettingClassifier

__all__ = ['ForgettingClassifier', 'VIT_FFN_TARGETS']
