from .group_sparse_constructor import GroupSparseOptimWrapperConstructor
from .group_sparse_optim_wrapper import GroupSparseOptimWrapper

__all__ = ['GroupSparseOptimWrapper', 'GroupSparseOptimWrapperConstructor']
