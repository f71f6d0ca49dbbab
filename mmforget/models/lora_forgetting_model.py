"""What every mmforget model shares: per-task LoRA on top of frozen weights.

A fresh adapter (B = 0) starts each task, only the adapters train, and the
task ends by merging them into the weights, so the next task (and
inference) sees a plain model.
"""
from mmforget.lora import (inject_lora, lora_parameter_count, merge_lora,
                           merged_state_dict, reset_lora)
from .pretrained_loading import load_plain_checkpoint


class LoRAForgettingMixin:
    """Mixed into an mmpretrain/mmdet model class before its base class.

    Subclasses call :meth:`setup_lora` at the end of ``__init__``.
    """

    def setup_lora(self, lora, pretrained=None):
        """``lora``: ``inject_lora`` arguments, plus the optional
        ``later_tasks_init_a``: the kaiming-uniform slope of A from the
        second task on. None (default) keeps loralib's sqrt(5) for every
        task; the official code re-initialises with sqrt(50) (A about 2.9x
        smaller) for tasks >= 2."""
        lora = dict(lora)
        self.later_tasks_init_a = lora.pop('later_tasks_init_a', None)
        self.lora_cfg = lora
        self.pretrained = pretrained
        self.task_index = 0
        self.base_param_count = sum(p.numel() for p in self.parameters())
        self.lora_groups = inject_lora(self, **lora)

    def init_weights(self):
        """The wrapped model's init may re-initialise LoRA matrices too (mmdet
        DETR xavier-inits every matrix), so adapters are reset afterwards."""
        super().init_weights()
        if self.pretrained:
            load_plain_checkpoint(self, self.pretrained)
        reset_lora(self)

    def start_task(self, task_index):
        """Fresh adapters (A random, B = 0) over the current weights; the
        losses switch to this task's weights; GS-LoRA++ prototypes are
        computed anew (by the loop) for the edited model."""
        self.task_index = task_index
        if task_index > 0 and self.later_tasks_init_a is not None:
            reset_lora(self, init_a=self.later_tasks_init_a)
        else:
            reset_lora(self)
        for loss in (getattr(self, 'forget_loss', None),
                     getattr(self, 'prototype_loss', None)):
            if loss is not None:
                loss.task = task_index
        self.prototypes = None

    def finish_task(self):
        """Merge the task's adapters into the weights."""
        merge_lora(self)

    def merged_state_dict(self):
        """Weights only, with the exact keys of the original model."""
        return merged_state_dict(self)

    @property
    def trainable_param_count(self):
        return lora_parameter_count(self)
