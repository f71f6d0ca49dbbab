"""Fixes for the pinned stack (mmengine 0.10.7 on torch 2.13), applied on
``import mmforget``."""
from .checkpoint_loading import (UnreadableCheckpointError,
                                 UnsafeCheckpointError, check_checkpoint_file,
                                 load_from_local_safely,
                                 safe_checkpoint_globals)
from .config_index import cache_package_model_indexes  # noqa: F401
from .distributed import (CPUDistributedDataParallel,
                          exit_rank_after_error, finish_distributed,
                          setup_cpu_distributed)

# Bad input a tool reports in one line (no traceback), before it writes.
INPUT_ERRORS = (UnreadableCheckpointError, UnsafeCheckpointError, ValueError,
                TypeError, FileNotFoundError, FileExistsError)

__all__ = [
    'UnsafeCheckpointError', 'UnreadableCheckpointError',
    'check_checkpoint_file', 'load_from_local_safely',
    'safe_checkpoint_globals', 'CPUDistributedDataParallel',
    'setup_cpu_distributed', 'finish_distributed',
    'exit_rank_after_error', 'INPUT_ERRORS'
]
