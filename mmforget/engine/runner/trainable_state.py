"""The trainable weights of a task as plain tensors: copies for selecting
the best validated state, an exponential moving average, and the checks that
every process of a distributed run trains the same ones."""
import torch
from mmengine.dist import broadcast, get_world_size


def trainable_parameters(model):
    return {n: p for n, p in model.named_parameters() if p.requires_grad}


def copy_trainable(model):
    return {n: p.detach().clone()
            for n, p in trainable_parameters(model).items()}


def restore_trainable(model, state):
    with torch.no_grad():
        for name, param in trainable_parameters(model).items():
            param.copy_(state[name])


def swap_in(model, state):
    """Load ``state`` into the trainable weights; return what they held."""
    if state is None:
        return None
    current = copy_trainable(model)
    restore_trainable(model, state)
    return current


def sync_trainable(model):
    """Every rank starts the task from rank 0's trainable weights (fresh
    adapters, fresh initialisation)."""
    if get_world_size() > 1:
        for param in trainable_parameters(model).values():
            broadcast(param.data, src=0)


def check_distributed_trainable(wrapper, model, method):
    """DDP reduces the gradients of what was trainable when it wrapped the
    model; a method that freezes some of it (the baselines freeze the head)
    needs unused-parameter detection. Called before the first task, while
    ``requires_grad`` is still what it was when DDP wrapped the model."""
    registered = getattr(wrapper, '_module_parameters', None)
    if registered is None or getattr(wrapper, 'find_unused_parameters', True):
        return
    names = {id(p): n for n, p in model.named_parameters()}
    if any(p.requires_grad and not method.is_trainable(names[id(p)])
           for p in registered):
        raise RuntimeError(
            f'{method.name} freezes parameters that were trainable when the '
            'model was wrapped for distributed training; add '
            'model_wrapper_cfg=dict(find_unused_parameters=True) to the '
            'config (or --cfg-options '
            'model_wrapper_cfg.find_unused_parameters=True)')


class WeightAverage:
    """``train_cfg.ema``: from ``begin_epoch`` of a task, theta_ema <- decay
    * theta_ema + (1 - decay) * theta after every epoch; validation scores
    the average and it is what the task keeps."""

    def __init__(self, begin_epoch=0, decay=0.9):
        if not 0 <= decay < 1:
            raise ValueError(
                f'ema decay must be in [0, 1), got {decay}')
        self.begin_epoch = begin_epoch
        self.decay = decay
        self.state = None

    def start_task(self):
        self.state = None

    def update(self, model, epoch):
        if epoch < self.begin_epoch:
            return
        if self.state is None:
            self.state = copy_trainable(model)
            return
        for name, param in trainable_parameters(model).items():
            self.state[name].mul_(self.decay).add_(
                param.detach(), alpha=1 - self.decay)
