"""Boundary Expanding: give the forget images a class of their own, then
delete that class.

At the start of a task the head's last linear layer gets one more output,
the shadow class (the old rows copied, the new row initialised as a fresh
``nn.Linear`` row); the task trains every weight on ``CE(f(x_f), K)`` over
the forget images only (K: the shadow class). At the end of the task the
shadow row is pruned, so the released head has the original number of
classes (OPTML's re-implementation keeps it and evaluates K + 1 outputs).
Validation during the task sees K + 1 scores: a shadow prediction counts as
wrong.
"""
import torch
import torch.nn.functional as F
from mmengine.dist import get_world_size
from torch import nn

from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch, zero_loss


def class_layer(head, num_classes):
    """(parent module, attribute name) of the head's last ``nn.Linear``
    with ``num_classes`` outputs: the layer that scores the classes."""
    found = None
    for name, module in head.named_modules():
        if isinstance(module, nn.Linear) and \
                module.out_features == num_classes:
            found = name
    if not found:
        raise ValueError(
            f'{type(head).__name__} has no nn.Linear with {num_classes} '
            'outputs; Boundary Expanding widens the layer that scores the '
            'classes, so it needs a linear classification head')
    parent, _, attr = found.rpartition('.')
    return (head.get_submodule(parent) if parent else head), attr


def resized_linear(layer, out_features):
    """A copy of ``layer`` with ``out_features`` outputs: the rows both
    have are copied, extra rows keep ``nn.Linear``'s initialisation."""
    new = nn.Linear(layer.in_features, out_features,
                    bias=layer.bias is not None).to(layer.weight.device,
                                                    layer.weight.dtype)
    rows = min(out_features, layer.out_features)
    with torch.no_grad():
        new.weight[:rows] = layer.weight[:rows]
        if layer.bias is not None:
            new.bias[:rows] = layer.bias[:rows]
    return new


@METHODS.register_module()
class BoundaryExpanding(ForgettingMethod):
    """Every weight trains; one process only (the head changes shape)."""

    model_kinds = ('classifier', )  # reads its embedding or logits

    default_name = 'Boundary Expanding'

    def __init__(self, name=None):
        super().__init__(name=name, frozen=())
        self.num_classes = None

    def before_tasks(self, model, context):
        if get_world_size() > 1:
            raise RuntimeError(
                'Boundary Expanding changes the shape of the head during a '
                'task, which distributed data parallel cannot follow: run '
                'it on one process')

    def _resize(self, model, current, new):
        parent, attr = class_layer(model.head, current)
        setattr(parent, attr, resized_linear(getattr(parent, attr), new))

    def start_task(self, model, context):
        super().start_task(model, context)
        self.num_classes = model.head.num_classes
        self._resize(model, self.num_classes, self.num_classes + 1)

    def loss(self, model, inputs, data_samples):
        forget, _ = split_batch(data_samples)
        if not len(forget):
            return dict(loss_forget=zero_loss(model))
        logits = model.logits(model.extract_feat(
            inputs[forget.to(inputs.device)]))
        shadow = torch.full((len(forget), ), self.num_classes,
                            dtype=torch.long, device=logits.device)
        return dict(loss_forget=F.cross_entropy(logits, shadow))

    def finish_task(self, model):
        """Prune the shadow class: the head scores K classes again."""
        self._resize(model, self.num_classes + 1, self.num_classes)
