"""What every mmforget model shares: optional per-task LoRA on top of the
weights, and the forgetting method that decides its training loss.

With adapters, a fresh adapter (B = 0) starts each task and the task ends by
merging them into the weights, so the next task (and inference) sees a plain
model. Without (``lora=None``), methods train the weights themselves.
"""
import copy

from mmforget.lora import (inject_lora, merge_lora, merged_state_dict,
                           reset_lora)
from .pretrained_loading import load_plain_checkpoint


class LoRAForgettingMixin:
    """Mixed into an mmpretrain/mmdet model class before its base class.

    Subclasses call :meth:`setup_lora` at the end of ``__init__``.
    """

    def setup_lora(self, lora, pretrained=None):
        """``lora``: ``inject_lora`` arguments (None: no adapters), plus the
        optional ``later_tasks_init_a``: the kaiming-uniform slope of A from
        the second task on. None (default) keeps loralib's sqrt(5) for every
        task; the official code re-initialises with sqrt(50) (A about 2.9x
        smaller) for tasks >= 2."""
        lora = None if lora is None else dict(lora)
        self.later_tasks_init_a = (lora.pop('later_tasks_init_a', None)
                                   if lora else None)
        self.lora_cfg = lora
        self.pretrained = pretrained
        self.task_index = 0
        self.base_param_count = sum(p.numel() for p in self.parameters())
        self.lora_groups = inject_lora(self, **lora) if lora else {}
        # Not a module attribute: a method is never part of the state dict.
        object.__setattr__(self, 'forgetting_method', None)

    def init_weights(self):
        """The wrapped model's init may re-initialise LoRA matrices too (mmdet
        DETR xavier-inits every matrix), so adapters are reset afterwards."""
        super().init_weights()
        if self.pretrained:
            load_plain_checkpoint(self, self.pretrained)
        reset_lora(self)

    def attach_method(self, method):
        """The forgetting method whose ``loss`` is this model's loss."""
        object.__setattr__(self, 'forgetting_method', method)

    def method_loss(self, inputs, data_samples):
        if self.forgetting_method is None:
            raise RuntimeError(
                f'{type(self).__name__} has no forgetting method: '
                'ContinualForgettingLoop attaches the one of train_cfg.method '
                '(or call model.attach_method(METHODS.build(...)))')
        return self.forgetting_method.loss(self, inputs, data_samples)

    def frozen_copy(self):
        """A copy that never trains and holds no method (a teacher)."""
        method = self.forgetting_method
        object.__setattr__(self, 'forgetting_method', None)
        try:
            copied = copy.deepcopy(self)
        finally:
            object.__setattr__(self, 'forgetting_method', method)
        copied.eval()
        copied.requires_grad_(False)
        return copied

    def start_task(self, task_index):
        """Fresh adapters (A random, B = 0) over the current weights."""
        self.task_index = task_index
        if task_index > 0 and self.later_tasks_init_a is not None:
            reset_lora(self, init_a=self.later_tasks_init_a)
        else:
            reset_lora(self)

    def finish_task(self):
        """Merge the task's adapters into the weights."""
        merge_lora(self)

    def merged_state_dict(self):
        """Weights only, with the exact keys of the original model."""
        return merged_state_dict(self)

    def released_state_dict(self):
        """What a finished task releases: the merged weights (a model that
        keeps its adapters by design, O3's, releases them too)."""
        return self.merged_state_dict()

    @property
    def trainable_param_count(self):
        return sum(p.numel() for p in self.parameters() if p.requires_grad)
