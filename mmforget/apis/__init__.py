from .forget import (ForgettingResult, build_forgetting_config, forget,
                     load_user_config, resolve_classes)

__all__ = [
    'ForgettingResult', 'build_forgetting_config', 'forget',
    'load_user_config', 'resolve_classes'
]
