"""Load a plain (LoRA-free) checkpoint into a LoRA-injected model, strictly.

mmengine's ``Pretrained`` init and ``load_from`` only warn when keys or shapes
differ; a forgetting run on the wrong weights would be meaningless, so here
any missing, unexpected or mis-shaped tensor stops the run before training.
"""
from mmengine.runner.checkpoint import _load_checkpoint

from mmforget.compat.checkpoint_loading import (UnreadableCheckpointError,
                                                unreadable_message)


def checkpoint_state_dict(path):
    """The tensors of a checkpoint, without DDP's ``module.`` prefix."""
    checkpoint = _load_checkpoint(path, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else checkpoint
    if not isinstance(state, dict):
        raise UnreadableCheckpointError(unreadable_message(
            path, f'it holds a {type(state).__name__}, not a state dict'))
    return {k[len('module.'):] if k.startswith('module.') else k: v
            for k, v in state.items()}


def load_plain_checkpoint(model, path):
    """Copy every non-LoRA tensor of ``path`` into ``model``. A model that
    releases its adapters (``releases_adapters``: O3's gated classifier)
    also takes the adapters and gate a checkpoint of it holds."""
    state = checkpoint_state_dict(path)
    own = model.state_dict()
    if getattr(model, 'releases_adapters', False):
        extra = {k for k in state if '.lora_' in k or
                 k.startswith('adapter_gate.')}
        if extra:  # a release of this model: its gate's detectors too
            model.load_state_dict({k: state[k] for k in extra},
                                  strict=False)
            own = model.state_dict()
        expected = {k: v for k, v in own.items() if k not in extra
                    and '.lora_' not in k
                    and not k.startswith('adapter_gate.')}
        state = {k: v for k, v in state.items() if k not in extra}
    else:
        expected = {k: v for k, v in own.items() if '.lora_' not in k}
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    mismatched = sorted(
        f'{k}: checkpoint {tuple(state[k].shape)} vs model '
        f'{tuple(expected[k].shape)}' for k in set(state) & set(expected)
        if tuple(state[k].shape) != tuple(expected[k].shape))
    if missing or unexpected or mismatched:
        def head(keys):
            return ', '.join(keys[:5]) + (' ...' if len(keys) > 5 else '')
        raise ValueError(
            f'checkpoint {path} does not fit the model: '
            f'{len(missing)} missing keys [{head(missing)}], '
            f'{len(unexpected)} unexpected keys [{head(unexpected)}], '
            f'{len(mismatched)} shape mismatches [{head(mismatched)}]. '
            'Check that the config describes the architecture the '
            'checkpoint was trained with.')
    model.load_state_dict(state, strict=False)
