"""What a forgetting method is, for ``ContinualForgettingLoop``.

A method owns everything that differs between GS-LoRA and the baselines:
which parameters train, what it prepares before the tasks and at the start
of each one (a frozen teacher, importance weights, prototypes, fresh
weights), its loss per iteration, its training step (SCRUB alternates two)
and the end of a task (GS-LoRA merges its adapters). The loop calls these
hooks and never asks which method it runs. A method is a plain object, not a
module: what it holds (a teacher, anchors) never enters the model's state
dict, its optimizer or a released checkpoint.
"""
import torch

from mmforget.models.interface import model_kind
from mmforget.registry import METHODS


def split_batch(data_samples):
    """Indices of the forget and of the retain samples of a batch (the
    ``forget`` metainfo that ``ForgetRetainDataset`` sets)."""
    is_forget = torch.tensor(
        [bool(s.metainfo.get('forget', False)) for s in data_samples],
        dtype=torch.bool)
    return (torch.nonzero(is_forget).flatten(),
            torch.nonzero(~is_forget).flatten())


def zero_loss(model):
    """A zero that still reaches every trainable weight (a batch with
    nothing for the method's loss: backward must still find a graph)."""
    return sum(p.sum() * 0. for p in model.parameters() if p.requires_grad)


def gt_labels(data_samples, device=None):
    labels = torch.cat([s.gt_label for s in data_samples])
    return labels if device is None else labels.to(device)


def relabelled(data_samples, labels):
    """Copies of ``data_samples`` whose ground truth is ``labels``."""
    samples = []
    for sample, label in zip(data_samples, labels.tolist()):
        sample = sample.clone()
        sample.set_gt_label(int(label))
        samples.append(sample)
    return samples


def with_new_labels(data_samples, new_labels):
    """Copies of ``data_samples`` whose labels are ``new_labels(labels)``,
    called once on all their labels concatenated: an image's class for a
    classifier, every box's class for a detector (``gt_instances``)."""
    old = [s.gt_instances.labels if 'gt_instances' in s else s.gt_label
           for s in data_samples]
    new = new_labels(torch.cat(old)).split([len(labels) for labels in old])
    samples = []
    for sample, labels in zip(data_samples, new):
        sample = sample.clone()
        if 'gt_instances' in sample:
            instances = sample.gt_instances.clone()  # clone() shares it
            instances.labels = labels.to(instances.labels.device)
            sample.gt_instances = instances
        else:
            sample.set_gt_label(int(labels[0]))
        samples.append(sample)
    return samples


def batch_loss(model, data):
    """The model's own training loss on a whole batch from a data loader
    (preprocessed here), forget flags ignored: what importance and
    saliency are gradients of (a classifier's CE, a detector's set loss)."""
    data = model.data_preprocessor(data, False)
    samples = data['data_samples']
    return model.subset_loss(model.extract_feat(data['inputs']), samples,
                             torch.arange(len(samples)))


def refuse_training(method, context):
    """A training-free method has no loss: refuse, before anything runs, a
    schedule that would train."""
    if context.max_epochs:
        raise ValueError(
            f'{method.name} is training-free, but train_cfg.max_epochs is '
            f'{context.max_epochs}: set train_cfg.max_epochs=0')


def build_method(cfg, model):
    """The method of ``train_cfg.method`` attached to ``model``, after it
    has checked that it can work on that model."""
    if not isinstance(cfg, dict):
        raise TypeError(
            f'train_cfg.method must be a method config such as '
            f"dict(type='mmforget.GSLoRA'), got {cfg!r}")
    method = METHODS.build(cfg)
    method.check_model(model)
    model.attach_method(method)
    return method


class ForgettingMethod:
    """Base class: trains every weight but the head on the model's own loss.

    Args:
        name (str, optional): the name written to the summary and tables
            (default: the class's ``default_name``).
        frozen (list[str]): prefixes of parameter names that never train
            (default: the classification head).
    """

    default_name = 'forgetting method'
    #: False: the loop gives the method retain samples only (Retrain).
    uses_forget_data = True
    #: The model kinds (``mmforget.models.interface.model_kind``) the
    #: method's calls work on; the loop refuses others before training.
    model_kinds = ('classifier', 'detector')
    #: Prefixes of the check metrics whose attack the method's loss mimics
    #: (e.g. ('probe_', 'knn_') for a loss that disperses the forgotten
    #: classes' embeddings): the depth tables mark them "trained against"
    #: and no claim rests on them.
    trains_against = ()

    def __init__(self, name=None, frozen=('head.', )):
        self.name = name or self.default_name
        self.frozen = tuple(frozen)
        self.task_index = 0

    def check_model(self, model):
        """Refuse, before training, a model this method cannot call."""
        kind = model_kind(model)
        if kind not in self.model_kinds:
            raise TypeError(
                f'{self.name} works on {" and ".join(self.model_kinds)} '
                f'models (mmforget.models.interface), not on '
                f'{type(model).__name__} ({kind or "not a forgetting model"})'
                '; pick a method that supports it (see '
                'docs/en/advanced_guides/method_contract.md)')

    # ------------------------------------------------------- what trains
    def is_trainable(self, name):
        """Whether parameter ``name`` of the model trains in this method."""
        return not name.startswith(self.frozen)

    def set_trainable(self, model):
        for name, param in model.named_parameters():
            param.requires_grad_(self.is_trainable(name))

    # ------------------------------------------------------------ hooks
    def before_tasks(self, model, context):
        """Once, with the original (pre-trained) weights loaded, before the
        first task of a run (and before a resumed run loads its last task).
        """

    def resume(self, model, context, finished_tasks):
        """A resumed run skips ``finished_tasks`` tasks: rebuild here what
        they would have left behind (default: nothing)."""

    def start_task(self, model, context):
        """The task ``context.task_index`` starts: the model holds the weights
        the previous task released."""
        self.task_index = context.task_index

    def before_epoch(self, epoch):
        """``epoch`` (from 0) of the current task is about to run."""

    def train_step(self, model, data, optim_wrapper):
        """One optimisation step on a batch (``model`` may be wrapped)."""
        return model.train_step(data, optim_wrapper=optim_wrapper)

    def loss(self, model, inputs, data_samples):
        """The losses of one batch; ``model`` is the unwrapped model."""
        raise NotImplementedError

    def finish_task(self, model):
        """The task's training is over; the model must then hold plain
        weights, which are released as ``task_<t>.pth``."""
