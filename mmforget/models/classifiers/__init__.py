from .forgetting_classifier import ForgettingClassifier

__all__ = ['ForgettingClassifier']
