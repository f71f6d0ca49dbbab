from .forgetting_task_hook import ForgettingTaskHook

__all__ = ['ForgettingTaskHook']
