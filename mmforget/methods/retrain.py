"""Retrain: the reference every forgetting method is measured against.

Each task starts from a fresh initialisation (the model as its config
builds it, without the pre-trained checkpoint) and trains every weight on
the retained classes' training data with the pre-training recipe; no
forget sample is ever read (the loop gives it retain samples only).
"""
import copy

from mmengine.registry import MODELS

from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch


# mmdet's DETRs write these into their ``bbox_head`` config when they are
# built (and refuse a config that has them), so a built config must lose them.
DETR_HEAD_KEYS = ('share_pred_layer', 'num_pred_layer', 'as_two_stage')


@METHODS.register_module()
class Retrain(ForgettingMethod):
    """Args:
        name (str): default 'Retrain'.

    Use it with the pre-training optimizer, schedule, epochs and augmentation
    and ``data_ratio=1`` (a true retrain); the papers' variant trains on
    the same 10 % / 5 % subset as the other methods (``data_ratio``).
    Detectors: the retained classes' boxes of every image showing one
    (``mem_rate=1``); forgotten objects are background.
    """

    default_name = 'Retrain'
    uses_forget_data = False

    def __init__(self, name=None):
        super().__init__(name=name, frozen=())

    def before_tasks(self, model, loop):
        self.model_cfg = copy.deepcopy(loop.runner.cfg.model)
        self.model_cfg['pretrained'] = None
        if 'lora' in self.model_cfg:
            self.model_cfg['lora'] = None
        for key in DETR_HEAD_KEYS:
            self.model_cfg.get('bbox_head', {}).pop(key, None)

    def start_task(self, model, loop):
        super().start_task(model, loop)
        fresh = MODELS.build(copy.deepcopy(self.model_cfg))
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
        # The model's own training loss (the classifier's cross-entropy, the
        # detector's set loss), as pre-training computed it.
        return model.forget_retain_losses(inputs, data_samples)['retain']
