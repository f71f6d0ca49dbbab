from .group_sparse_constructor import GroupSparseOptimWrapperConstructor
from .group_sparse_optim_wrapper import (AmpGroupSparseOptimWrapper,
                                         GroupSparseOptimWrapper)

__all__ = [
    'AmpGroupSparseOptimWrapper', 'GroupSparseOptimWrapper',
    'GroupSparseOptimWrapperConstructor'
]
