"""Safe loading of mmengine checkpoints on torch >= 2.6.

mmengine 0.10.7 calls ``torch.load`` without ``weights_only``; torch 2.13
defaults to ``weights_only=True``, which refuses the ``HistoryBuffer`` and numpy
objects that every mmengine checkpoint holds, so ``--resume`` fails. Instead of
turning the safe unpickler off, the local-file loader is replaced by one that
keeps ``weights_only=True`` and allows exactly the globals mmengine writes.
Anything else (e.g. a pickled callable) is refused before it runs.
"""
import os.path as osp
import pickle

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

# HistoryBuffer pickles its default statistics methods (protocol 2 writes a
# method as ``getattr(HistoryBuffer, 'mean')``). A blanket ``getattr`` would
# let a checkpoint reach any attribute, so only these names pass.
_HISTORY_BUFFER_STATISTICS = ('min', 'max', 'current', 'mean')


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects outside mmforget's allowlist."""


def _history_buffer_statistic(owner, name):
    """The only ``getattr`` a checkpoint may call."""
    if owner is HistoryBuffer and name in _HISTORY_BUFFER_STATISTICS:
        return getattr(owner, name)
    raise UnsafeCheckpointError(
        f'the checkpoint asks for getattr({owner!r}, {name!r}); only '
        f'HistoryBuffer statistics {_HISTORY_BUFFER_STATISTICS} are allowed')


def _numpy_globals():
    """numpy objects in mmengine's logs, under their numpy 1.x and 2.x names."""
    from numpy.core.multiarray import _reconstruct, scalar  # noqa: F401
    allowed = [np.ndarray, np.dtype]
    for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        allowed.append((_reconstruct, f'{module}._reconstruct'))
        allowed.append((scalar, f'{module}.scalar'))
    for code in '?bBhHiIlLqQefdgFDG':
        allowed.append(type(np.dtype(code)))
    return allowed


def safe_checkpoint_globals():
    """Every global an mmengine checkpoint needs, and nothing more."""
    return [HistoryBuffer,
            (_history_buffer_statistic, 'builtins.getattr')] + _numpy_globals()


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_from_local_safely(filename, map_location=None):
    """Load a local checkpoint with torch's restricted unpickler."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        with torch.serialization.safe_globals(safe_checkpoint_globals()):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        raise UnsafeCheckpointError(
            f'Refused to load {filename}: it pickles objects that are not '
            'tensors or mmengine training state, and unpickling them could run '
            'arbitrary code. If you trust the file, re-save only its weights, '
            'e.g. torch.save({"state_dict": ckpt["state_dict"]}, path), from '
            f'a session where you accept that risk. Details: {error}') from None
