"""mmforget: continual forgetting (GS-LoRA, GS-LoRA++) for OpenMMLab models.

Importing the package applies the stack fixes in ``mmforget.compat`` and
registers every mmforget module (methods included), so configs only need
``custom_imports = dict(imports=['mmforget'])``.
"""
from . import compat  # noqa: F401  (first: safe checkpoint loading)
from . import datasets, engine, evaluation, lora, methods, models  # noqa
from . import apis  # noqa: F401
from .version import __version__

__all__ = ['__version__']
