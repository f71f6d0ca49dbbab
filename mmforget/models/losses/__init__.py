from .bounded_forget_loss import BoundedForgetLoss, value_for_task
from .prototype_loss import PrototypeLoss, prototype_kl

__all__ = ['BoundedForgetLoss', 'value_for_task', 'PrototypeLoss',
           'prototype_kl']
