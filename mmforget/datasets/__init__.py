from .detection_forget_retain_dataset import (DetectionForgetRetainDataset,
                                              image_classes)
from .digits import DigitsDataset
from .handwritten_numbers import HandwrittenNumbersDataset
from .forget_retain_dataset import (ForgetRetainDataset, dataset_labels,
                                    forget_retain_collate,
                                    forget_retain_loader_cfg)
from .task_schedule import (ForgettingSchedule, ForgettingTask,
                            shuffled_class_order)

__all__ = [
    'DetectionForgetRetainDataset', 'image_classes',
    'DigitsDataset', 'ForgetRetainDataset', 'dataset_labels',
    'forget_retain_collate', 'forget_retain_loader_cfg',
    'HandwrittenNumbersDataset',
    'ForgettingSchedule', 'ForgettingTask',
    'shuffled_class_order'
]
