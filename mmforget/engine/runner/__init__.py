from mmforget.methods.context import task_seed
from .continual_forgetting_loop import ContinualForgettingLoop
from .task_reports import task_checkpoint_path

__all__ = ['ContinualForgettingLoop', 'task_checkpoint_path', 'task_seed']
