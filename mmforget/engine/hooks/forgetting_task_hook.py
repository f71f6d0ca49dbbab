"""Publishes the task stored in a ``task_<t>.pth`` when it is loaded, so
``tools/test.py`` scores it exactly as the training run did."""
from mmengine.hooks import Hook

from mmforget.evaluation import TASK_INFO_KEY
from mmforget.registry import HOOKS


@HOOKS.register_module()
class ForgettingTaskHook(Hook):
    priority = 'VERY_HIGH'

    def after_load_checkpoint(self, runner, checkpoint):
        task = checkpoint.get('meta', {}).get('forgetting_task')
        if task is not None:
            runner.message_hub.update_info(TASK_INFO_KEY, task)
