"""Retrain: the reference every forgetting method is measured against.

FT from a fresh initialisation: each task starts from the model as its
config builds it, without the pre-trained checkpoint, and trains every
weight on the retained classes' training data with the pre-training
recipe; no forget sample is ever read (the loop gives it retain samples
only).
"""
import copy

from mmengine.registry import MODELS

from mmforget.registry import METHODS
from .fine_tune import FineTune


# mmdet's DETRs write these into their ``bbox_head`` config when they are
# built (and refuse a config that has them), so a built config must lose them.
DETR_HEAD_KEYS = ('share_pred_layer', 'num_pred_layer', 'as_two_stage')


@METHODS.register_module()
class Retrain(FineTune):
    """Args:
        name (str): default 'Retrain'.

    Use it with the pre-training optimizer, schedule, epochs and augmentation
    and ``data_ratio=1`` (a true retrain); the papers' variant trains on
    the same 10 % / 5 % subset as the other methods (``data_ratio``).
    Detectors: the retained classes' boxes of every image showing one
    (``mem_rate=1``); forgotten objects are background.
    """

    default_name = 'Retrain'

    def before_tasks(self, model, context):
        self.model_cfg = copy.deepcopy(context.model_cfg)
        self.model_cfg['pretrained'] = None
        if 'lora' in self.model_cfg:
            self.model_cfg['lora'] = None
        for key in DETR_HEAD_KEYS:
            self.model_cfg.get('bbox_head', {}).pop(key, None)

    def start_task(self, model, context):
        super().start_task(model, context)
        self.load_start(model, self.start_state(model))

    def start_state(self, model):
        """Where the task's training starts: a fresh initialisation."""
        return self.fresh_state()

    def fresh_state(self):
        """The state dict of a model built from the config, initialised."""
        fresh = MODELS.build(copy.deepcopy(self.model_cfg))
        fresh.init_weights()
        return fresh.state_dict()

    def load_start(self, model, state):
        """Load the task's starting weights, refusing a model they do not
        fit."""
        missing, unexpected = model.load_state_dict(state, strict=False)
        if unexpected or any('lora_' not in k for k in missing):
            raise RuntimeError(
                f'{self.name}: the fresh model does not fit the trained one '
                f'(missing {missing}, unexpected {unexpected})')
