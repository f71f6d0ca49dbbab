"""Head reset: training-free, the trivial baseline.

At the start of each task the rows of the task's forgotten classes in the
layers that score the classes are set by hand, nothing else changes:

- a classifier: the head's class-scoring linear layer, weights and bias set
  to ``value``, by default 0.0, the value mmpretrain initialises a ViT head
  with, i.e. the rows as they were before the classifier ever learned them;
- a DETR-family detector: the class branch of every decoder layer (weights
  ``value``, bias ``bias``). A sigmoid detector keeps a box whose class
  score is high, and a zero logit is a score of 0.5, above any threshold:
  the detector configs remove the logit instead, weights 0 and bias -30
  (a score of 1e-13, never among the boxes kept). A two-stage model's
  proposal branch is left as it is: it scores objectness (Deformable DETR)
  or picks where the queries start (DINO), not the class a box is given.

It is what a practitioner tries first and the baseline every method must
beat. The features are the original's, so the checks that probe them still
find the forgotten classes. Nothing trains: its configs set
``train_cfg.max_epochs=0``.
"""
import torch

from mmforget.models.interface import model_kind
from mmforget.registry import METHODS
from .base import ForgettingMethod, refuse_training
from .boundary_expanding import class_layer


@METHODS.register_module()
class HeadReset(ForgettingMethod):
    """Args:
        value (float): what the forgotten classes' weight rows are set to
            (0.0, the ViT head's initial value).
        bias (float, optional): what their bias entries are set to (default:
            ``value``; the detector configs: -30, the logit removed).
        name (str, optional): the name in summaries (default 'Head reset').
    """

    default_name = 'Head reset'
    model_kinds = ('classifier', 'detector')

    def __init__(self, value=0.0, bias=None, name=None):
        # Every parameter is frozen (the empty prefix matches every name):
        # the edit is done by hand, nothing is optimised.
        super().__init__(name=name, frozen=('', ))
        self.value = float(value)
        self.bias = self.value if bias is None else float(bias)

    def check_model(self, model):
        """A classifier whose head has a linear layer scoring the classes,
        or a DETR-family detector (refused before anything runs)."""
        super().check_model(model)
        self.class_layers(model)

    def class_layers(self, model):
        """The linear layers whose rows score the classes."""
        if model_kind(model) == 'detector':
            return model.class_branches()
        head = model.head
        try:
            parent, attr = class_layer(head, head.num_classes)
        except ValueError as err:
            raise TypeError(
                f'{self.name} resets rows of the head layer that scores the '
                f'classes, and {type(head).__name__} has no nn.Linear with '
                f'{head.num_classes} outputs') from err
        return [getattr(parent, attr)]

    def before_tasks(self, model, context):
        """Refuse a schedule that would train: there is no loss."""
        refuse_training(self, context)

    def start_task(self, model, context):
        """Set this task's forgotten rows; earlier tasks' rows arrive with
        the released weights as they were set."""
        super().start_task(model, context)
        self.reset_rows(model, context.task.forget)

    def reset_rows(self, model, classes):
        """Set the rows of ``classes`` in every class-scoring layer."""
        for layer in self.class_layers(model):
            rows = torch.as_tensor(list(classes), dtype=torch.long,
                                   device=layer.weight.device)
            with torch.no_grad():
                layer.weight[rows] = self.value
                if layer.bias is not None:
                    layer.bias[rows] = self.bias

    def loss(self, model, inputs, data_samples):
        raise RuntimeError(
            f'{self.name} is training-free (it resets head rows at the start '
            'of each task): set train_cfg.max_epochs=0')
