"""Retrain: the reference every forgetting method is measured against.

Each task starts from a fresh initialisation (the model as its config
builds it, without the pre-trained checkpoint) and trains every weight on
the retained classes' training data with the pre-training recipe; no
forget sample is ever read (the loop gives it retain samples only).
"""
from mmengine.registry import MODELS

from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch


@METHODS.register_module()
class Retrain(ForgettingMethod):
    """Args:
        name (str): default 'Retrain'.

    Use it with the pre-training optimizer, schedule, epochs and augmentation
    and ``data_ratio=1`` (a true retrain); the papers' variant trains on
    the same 10 % / 5 % subset as the other methods (``data_ratio``).
    """

    default_name = 'Retrain'
    uses_forget_data = False

    def __init__(self, name=None):
        super().__init__(name=name, frozen=())

    def before_tasks(self, model, loop):
        self.model_cfg = dict(loop.runner.cfg.model, pretrained=None)
        if 'lora' in self.model_cfg:
            self.model_cfg['lora'] = None

    def start_task(self, model, loop):
        super().start_task(model, loop)
        fresh = MODELS.build(self.model_cfg)
        fresh.init_weights()
        missing, unexpected = model.load_state_dict(fresh.state_dict(),
                                                    strict=False)
        if unexpected or any('lora_' not in k for k in missing):
            raise RuntimeError(
                f'Retrain: the fresh model does not fit the trained one '
                f'(missing {missing}, unexpected {unexpected})')

    def loss(self, model, inputs, data_samples):
        forget, _ = split_batch(data_samples)
        if len(forget):
            raise RuntimeError('Retrain received forget samples')
        return model.head.loss(model.extract_feat(inputs), data_samples)
