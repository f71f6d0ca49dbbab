from .forgetting_deformable_detr import (DETR_FFN_TARGETS,
                                         ForgettingDeformableDETR)

__all__ = ['DETR_FFN_TARGETS', 'ForgettingDeformableDETR']
