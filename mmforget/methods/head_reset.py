"""Head reset: training-free, the trivial baseline.

At the start of each task the rows of the task's forgotten classes in the
head's class-scoring linear layer (weights and bias) are set to ``value``,
by default 0.0: the value mmpretrain initialises a ViT head with, i.e. the
rows as they were before the classifier ever learned those classes. It is
what a practitioner tries first and the baseline every method must beat.
Only the head changes: the features are the original's, so the checks that
probe the features still find the forgotten classes. Nothing trains: its
configs set ``train_cfg.max_epochs=0``.
"""
import torch

from mmforget.registry import METHODS
from .base import ForgettingMethod, refuse_training
from .boundary_expanding import class_layer


@METHODS.register_module()
class HeadReset(ForgettingMethod):
    """Args:
        value (float): what the forgotten classes' weight rows and bias
            entries are set to (0.0, the ViT head's initial value).
        name (str, optional): the name in summaries (default 'Head reset').
    """

    default_name = 'Head reset'
    # It edits ``model.head``: classifiers only.
    model_kinds = ('classifier', )

    def __init__(self, value=0.0, name=None):
        # Every parameter is frozen (the empty prefix matches every name):
        # the edit is done by hand, nothing is optimised.
        super().__init__(name=name, frozen=('', ))
        self.value = float(value)

    def check_model(self, model):
        """A classifier whose head has a linear layer scoring the classes
        (refused before anything runs otherwise)."""
        super().check_model(model)
        self._layer(model)

    def _layer(self, model):
        head = model.head
        try:
            parent, attr = class_layer(head, head.num_classes)
        except ValueError as err:
            raise TypeError(
                f'{self.name} resets rows of the head layer that scores the '
                f'classes, and {type(head).__name__} has no nn.Linear with '
                f'{head.num_classes} outputs') from err
        return getattr(parent, attr)

    def before_tasks(self, model, context):
        """Refuse a schedule that would train: there is no loss."""
        refuse_training(self, context)

    def start_task(self, model, context):
        """Set this task's forgotten rows; earlier tasks' rows arrive with
        the released weights as they were set."""
        super().start_task(model, context)
        layer = self._layer(model)
        rows = torch.as_tensor(list(context.task.forget), dtype=torch.long,
                               device=layer.weight.device)
        with torch.no_grad():
            layer.weight[rows] = self.value
            if layer.bias is not None:
                layer.bias[rows] = self.value

    def loss(self, model, inputs, data_samples):
        raise RuntimeError(
            f'{self.name} is training-free (it resets head rows at the start '
            'of each task): set train_cfg.max_epochs=0')
