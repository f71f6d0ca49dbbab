from mmforget.methods.context import task_seed
from .continual_forgetting_loop import ContinualForgettingLoop
from .sliced_train_loop import SlicedTrainLoop
from .task_reports import task_checkpoint_path

__all__ = ['ContinualForgettingLoop', 'SlicedTrainLoop', 'task_checkpoint_path', 'task_seed']
