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
    """Copy every non-LoRA tensor of ``path`` into ``model``. A model whose
    release holds more than plain weights names the key parts of it
    (``release_key_parts``, e.g. O3's adapters and request detectors): those
    a checkpoint holds are loaded too (their modules create what they
    need), and none is required (a plain original has none)."""
    state = checkpoint_state_dict(path)
    parts = ('.lora_', ) + tuple(getattr(model, 'release_key_parts', ()))

    def optional(key):
        return any(part in key for part in parts)
    extra = {k: v for k, v in state.items() if optional(k)
             and getattr(model, 'release_key_parts', ())}
    if extra:
        model.load_state_dict(extra, strict=False)
        state = {k: v for k, v in state.items() if k not in extra}
    expected = {k: v for k, v in model.state_dict().items()
                if not optional(k)}
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
