from .injection import (inject_lora, lora_modules, lora_parameter_count,
                        merge_lora, merged_state_dict, reset_lora)
from .lora_linear import LoRALinear

__all__ = [
    'LoRALinear', 'inject_lora', 'lora_modules', 'lora_parameter_count',
    'merge_lora', 'merged_state_dict', 'reset_lora'
]
