from .continual_forgetting_loop import (ContinualForgettingLoop,
                                        task_checkpoint_path)

__all__ = ['ContinualForgettingLoop', 'task_checkpoint_path']
