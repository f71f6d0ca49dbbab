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

On a DETR-family detector the blocks are the decoder's layers and k must be
all of them: the top is the whole decoder side (its layers and shared parts,
the query embedding, reference points, proposal and denoising layers, the
head), the parts named in ``keep`` (backbone, neck, encoder) are frozen;
without the encoder in ``keep`` it resets and trains too. Its layers share the
head's branches and reference points, so part of a decoder cannot be reset
under a frozen rest. The top then never sees a forgotten object; on the
shapes Deformable DETR a fresh decoder over the original's encoder still
boxes them (class-agnostic recall), and only resetting the encoder too
brings that to Retrain's (docs/en/results/detection.md).
"""
import copy

import torch
from mmengine.registry import MODELS
from torch import nn

from mmforget.models.interface import model_kind
from mmforget.registry import METHODS
from .fine_tune import FineTune

#: The backbone's norms after its last block (mmpretrain's ViT: ``ln1``, the
#: final norm; ``ln2``, the norm of the averaged patch tokens).
FINAL_NORMS = ('ln1', 'ln2')
#: The parts of a DETR below its decoder side that ``keep`` may freeze.
DETECTOR_FEATURE_PARTS = ('backbone', 'neck', 'encoder')


class LastBlocksMethod(FineTune):
    """Trains the last ``k`` blocks, the final norms, the neck and the head.

    Args:
        k (int): how many of the backbone's last blocks train (1 to L); on
            a detector, its number of decoder layers.
        keep (tuple[str]): detectors only: the parts below the decoder side
            that stay frozen (of 'backbone', 'neck', 'encoder'; the
            encoder's level embedding goes with it).
        name (str, optional): the name in summaries.
    """

    model_kinds = ('classifier', 'detector')

    def __init__(self, k=2, keep=DETECTOR_FEATURE_PARTS, name=None):
        super().__init__(name=name)
        self.k = k
        self.keep = tuple(keep)
        self.top_prefixes = None

    def check_model(self, model):
        """A ViT-style classifier (blocks in ``backbone.layers``) or a DETR
        (``decoder.layers``), no adapters, and a valid k; sets the
        prefixes that train."""
        super().check_model(model)
        detector = model_kind(model) == 'detector'
        owner = model.decoder if detector else model.backbone
        where = 'decoder.layers' if detector else 'backbone.layers'
        blocks = getattr(owner, 'layers', None)
        if not isinstance(blocks, nn.ModuleList) or not len(blocks):
            raise TypeError(
                f'{self.name} trains the last k blocks (in {where}); '
                f'{type(owner).__name__} has none')
        num_blocks = len(blocks)
        lowest = num_blocks if detector else 1
        if (isinstance(self.k, bool) or not isinstance(self.k, int)
                or not lowest <= self.k <= num_blocks):
            allowed = (f'{num_blocks} (a detector\'s whole decoder side '
                       'trains)' if detector else
                       f'an integer from 1 to {num_blocks}')
            raise ValueError(
                f'{self.name} trains the last k of the {num_blocks} blocks '
                f'in {where}, got k={self.k!r}: set train_cfg.method.k to '
                f'{allowed}')
        if getattr(model, 'lora_groups', None):
            raise TypeError(
                f'{self.name} trains the weights themselves, and the model '
                'has adapters: set model.lora=None')
        if not detector and self.keep != DETECTOR_FEATURE_PARTS:
            raise ValueError(
                f'{self.name}: keep={self.keep!r} names parts of a detector; '
                'on a classifier the frozen part is the blocks below the '
                'last k: remove train_cfg.method.keep')
        if detector:
            unknown = set(self.keep) - set(DETECTOR_FEATURE_PARTS)
            if unknown:
                raise ValueError(
                    f'{self.name} keeps parts of {DETECTOR_FEATURE_PARTS}, '
                    f'got {sorted(unknown)}: set train_cfg.method.keep to '
                    'a tuple of those')
            frozen = tuple(f'{part}.' for part in self.keep) + (
                ('level_embed', ) if 'encoder' in self.keep else ())
            self.top_prefixes = tuple(sorted({
                name.split('.')[0] + ('.' if '.' in name else '')
                for name, _ in model.named_parameters()
                if not name.startswith(frozen)}))
        else:
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
