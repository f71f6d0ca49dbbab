from .forget import (ForgettingResult, build_forgetting_config, forget,
                     resolve_classes)

__all__ = [
    'ForgettingResult', 'build_forgetting_config', 'forget', 'resolve_classes'
]
