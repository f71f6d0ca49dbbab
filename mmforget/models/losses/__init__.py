from .bounded_forget_loss import BoundedForgetLoss, value_for_task

__all__ = ['BoundedForgetLoss', 'value_for_task']
