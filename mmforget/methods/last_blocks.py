"""EU-k and CF-k: only the top of the network moves, on retain data only.

The top is the last ``k`` transformer blocks of the backbone, the norms the
backbone applies after them, the neck and the head; every weight below it
is frozen. Both read no forget sample (the loop gives them retain samples
only) and train the top with the model's own loss:

- EU-k (exact unlearning of the last k layers): at the start of each task
  the top is set to the model's own fresh initialisation, drawn from the
  task seed, and trained from there. The frozen part still holds what the
  forgotten classes left in the lower blocks; the top has never seen them.
- CF-k (catastrophic forgetting of the last k layers): the top is
  fine-tuned from the trained weights, so the forgotten classes fade only
  as far as training on the others pushes them out.

A task costs about k/L of a full training (L blocks), and the lower blocks
are shared with the original: the checks that probe intermediate blocks
read the original's features there.
"""
import copy

import torch
from mmengine.registry import MODELS
from torch import nn

from mmforget.registry import METHODS
from .fine_tune import FineTune

#: The backbone's norms after its last block (mmpretrain's ViT: ``ln1``, the
#: final norm; ``ln2``, the norm of the averaged patch tokens).
FINAL_NORMS = ('ln1', 'ln2')


class LastBlocksMethod(FineTune):
    """Trains the last ``k`` blocks, the final norms, the neck and the head.

    Args:
        k (int): how many of the backbone's last blocks train (1 to L).
        name (str, optional): the name in summaries.
    """

    model_kinds = ('classifier', )

    def __init__(self, k=2, name=None):
        super().__init__(name=name)
        self.k = k
        self.top_prefixes = None

    def check_model(self, model):
        """A classifier with a ViT-style ``backbone.layers``, no adapters,
        and 1 <= k <= its number of blocks; sets the prefixes that train."""
        super().check_model(model)
        blocks = getattr(model.backbone, 'layers', None)
        if not isinstance(blocks, nn.ModuleList) or not len(blocks):
            raise TypeError(
                f'{self.name} trains the last k blocks of a ViT-style '
                f'backbone (blocks in backbone.layers); '
                f'{type(model.backbone).__name__} has none')
        num_blocks = len(blocks)
        if (isinstance(self.k, bool) or not isinstance(self.k, int)
                or not 1 <= self.k <= num_blocks):
            raise ValueError(
                f'{self.name} trains the last k of the backbone\'s '
                f'{num_blocks} blocks, got k={self.k!r}: set '
                f'train_cfg.method.k to an integer from 1 to {num_blocks}')
        if getattr(model, 'lora_groups', None):
            raise TypeError(
                f'{self.name} trains the weights themselves, and the model '
                'has LoRA adapters: set model.lora=None')
        self.top_prefixes = self.top_of(model, num_blocks)

    def top_of(self, model, num_blocks):
        """Name prefixes of the parameters above the frozen blocks."""
        prefixes = [f'backbone.layers.{i}.'
                    for i in range(num_blocks - self.k, num_blocks)]
        prefixes += [f'backbone.{norm}.' for norm in FINAL_NORMS
                     if isinstance(getattr(model.backbone, norm, None),
                                   nn.Module)]
        return tuple(prefixes) + ('neck.', 'head.')

    def is_trainable(self, name):
        if self.top_prefixes is None:
            raise RuntimeError(
                f'{self.name}: check_model(model) sets what trains; call it '
                'first (build_method does)')
        return name.startswith(self.top_prefixes)


@METHODS.register_module()
class CFk(LastBlocksMethod):
    """CF-k: the top fine-tuned from the trained weights on retain data."""

    default_name = 'CF-k'


@METHODS.register_module()
class EUk(LastBlocksMethod):
    """EU-k: the top re-initialised each task, then trained on retain data.

    The fresh values come from the model's own ``init_weights`` on a model
    built from the run's config (no checkpoint, no adapters) with the task
    seed, so a task's start is the same in a resumed run and on every rank,
    and the global random draws of the run are left untouched.
    """

    default_name = 'EU-k'

    def before_tasks(self, model, context):
        self.model_cfg = copy.deepcopy(context.model_cfg)
        self.model_cfg['pretrained'] = None
        if 'lora' in self.model_cfg:
            self.model_cfg['lora'] = None

    def fresh_state(self, seed):
        """The state dict of a freshly initialised model, drawn from
        ``seed`` alone."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            fresh = MODELS.build(copy.deepcopy(self.model_cfg))
            fresh.init_weights()
        return fresh.state_dict()

    def start_task(self, model, context):
        super().start_task(model, context)
        fresh = self.fresh_state(context.task_seed)
        with torch.no_grad():
            for name, tensor in model.state_dict(keep_vars=True).items():
                if not name.startswith(self.top_prefixes):
                    continue
                if name not in fresh or fresh[name].shape != tensor.shape:
                    raise RuntimeError(
                        f'{self.name}: the model built from the config has '
                        f'no {name} of shape {tuple(tensor.shape)} to '
                        're-initialise it with')
                tensor.copy_(fresh[name])
