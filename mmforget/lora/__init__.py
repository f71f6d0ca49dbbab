from .injection import (adapter_free_copy, inject_lora, lora_modules,
                        lora_parameter_count, merge_lora, merged_state_dict,
                        reset_lora, set_sample_scale)
from .lora_linear import LoRALinear
from .presets import (CLASSIFIER_PRESETS, DETECTOR_PRESETS,
                      classifier_lora_targets, detector_lora_targets)

__all__ = [
    'CLASSIFIER_PRESETS', 'DETECTOR_PRESETS', 'classifier_lora_targets',
    'detector_lora_targets',
    'LoRALinear', 'inject_lora', 'lora_modules', 'lora_parameter_count',
    'merge_lora', 'merged_state_dict', 'reset_lora', 'set_sample_scale',
    'adapter_free_copy'
]
