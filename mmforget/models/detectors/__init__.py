from .forgetting_detr import (DETRForgettingMixin, ForgettingConditionalDETR,
                              ForgettingDABDETR, ForgettingDeformableDETR,
                              ForgettingDETR, ForgettingDINO)

__all__ = [
    'DETRForgettingMixin', 'ForgettingDETR', 'ForgettingConditionalDETR',
    'ForgettingDABDETR', 'ForgettingDeformableDETR', 'ForgettingDINO'
]
