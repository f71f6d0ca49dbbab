"""Safe loading of mmengine checkpoints on torch >= 2.6.

mmengine 0.10.7 calls ``torch.load`` without ``weights_only``; torch 2.13
defaults to ``weights_only=True``, which refuses the ``HistoryBuffer`` and numpy
objects that every mmengine checkpoint holds, so ``--resume`` fails. Instead of
turning the safe unpickler off, the local-file loader is replaced by one that
keeps ``weights_only=True`` and allows exactly the globals mmengine writes.
Anything else (e.g. a pickled callable) is refused before it runs.

A file that is no checkpoint at all (corrupt, truncated, another format) is
told apart from one that holds refused objects: torch's safe unpickler
reports both as an "unsafe" pickle. The structure of the file (the zip
archive of ``torch.save`` and its ``data.pkl``, or the legacy pickles) is
read without unpickling anything, first.
"""
import os.path as osp
import pickle
import pickletools
import zipfile

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

# HistoryBuffer pickles its default statistics methods (protocol 2 writes a
# method as ``getattr(HistoryBuffer, 'mean')``). A blanket ``getattr`` would
# let a checkpoint reach any attribute, so only these names pass.
_HISTORY_BUFFER_STATISTICS = ('min', 'max', 'current', 'mean')
# A legacy (non-zip) torch.save file is these pickles, then raw storages.
_LEGACY_PICKLES = ('magic number', 'protocol version', 'system info',
                   'objects', 'storage keys')


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects outside mmforget's allowlist."""


class UnreadableCheckpointError(ValueError):
    """A file is not a checkpoint ``torch.load`` can read at all."""


def unreadable_message(filename, reason):
    """The one line every tool prints for a file that is no checkpoint."""
    return (f'{filename} is not a readable checkpoint ({reason}); expected '
            'a PyTorch checkpoint written by torch.save, such as the .pth '
            'files of tools/train.py or tools/publish_checkpoint.py. Check '
            'the path, or copy the file again if it was cut short.')


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


def _read_pickle(source):
    """The opcodes of one complete pickle (nothing is executed), or None
    when the bytes are no pickle or end before its STOP."""
    try:
        return list(pickletools.genops(source))
    except Exception:  # genops raises ValueError, EOFError, struct.error...
        return None


def checkpoint_structure_problem(filename):
    """Why ``filename`` cannot be a ``torch.save`` file, or None when its
    structure is intact. Reads only the zip directory and the pickle
    opcodes, never an object: safe on any file, and cheap (tensor data is
    not read)."""
    if osp.getsize(filename) == 0:
        return 'the file is empty'
    if zipfile.is_zipfile(filename):
        try:
            with zipfile.ZipFile(filename) as archive:
                names = [n for n in archive.namelist()
                         if n == 'data.pkl' or n.endswith('/data.pkl')]
                if not names:
                    return 'a zip archive without the data.pkl of torch.save'
                data = archive.read(names[0])
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError,
                EOFError, ValueError) as error:
            return f'a damaged zip archive: {error}'
        if _read_pickle(data) is None:
            return 'a zip archive whose data.pkl is damaged'
        return None
    with open(filename, 'rb') as f:
        if f.read(4) == b'PK\x03\x04':
            return 'a zip archive whose end is missing: truncated'
        f.seek(0)
        first = _read_pickle(f)
        if first is None or torch.serialization.MAGIC_NUMBER not in [
                arg for _, arg, _ in first]:
            return 'neither a zip archive nor a pickle of torch.save'
        for part in _LEGACY_PICKLES[1:]:
            if _read_pickle(f) is None:
                return f'its {part} are missing or damaged: truncated?'
    return None


def check_checkpoint_file(filename):
    """Raise ``FileNotFoundError`` or ``UnreadableCheckpointError`` unless
    ``filename`` looks like a loadable checkpoint (what tools check before
    they write anything)."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    problem = checkpoint_structure_problem(filename)
    if problem is not None:
        raise UnreadableCheckpointError(unreadable_message(filename, problem))


def _is_damaged_data(error):
    """A failure of torch.load that a damaged file (not a refused object)
    explains, after the structure check passed."""
    if isinstance(error, (EOFError, OSError, zipfile.BadZipFile)):
        return True
    text = str(error)
    return isinstance(error, RuntimeError) and any(
        word in text for word in ('PytorchStreamReader', 'corrupt', 'EOF',
                                  'invalid header'))


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_from_local_safely(filename, map_location=None):
    """Load a local checkpoint with torch's restricted unpickler."""
    check_checkpoint_file(filename)
    filename = osp.expanduser(filename)
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
    except Exception as error:
        if not _is_damaged_data(error):
            raise
        reason = str(error).strip().splitlines()[0] if str(error).strip() \
            else type(error).__name__
        raise UnreadableCheckpointError(
            unreadable_message(filename, f'damaged data: {reason}')) from None
