"""Fixes for the pinned stack (mmengine 0.10.7 on torch 2.13), applied on
``import mmforget``."""
from .checkpoint_loading import (UnsafeCheckpointError, load_from_local_safely,
                                 safe_checkpoint_globals)
from .distributed import (CPUDistributedDataParallel, finish_distributed,
                          setup_cpu_distributed)

__all__ = [
    'UnsafeCheckpointError', 'load_from_local_safely', 'safe_checkpoint_globals',
    'CPUDistributedDataParallel', 'setup_cpu_distributed', 'finish_distributed'
]
