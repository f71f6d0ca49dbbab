from .margin_cosine_head import MarginCosineHead

__all__ = ['MarginCosineHead']
