"""Project, Reset, Repair (PRR): mmforget's own method.

What the depth measurements ask of a method: the head edit's accuracy on the
kept classes, and features that read the forgotten classes no better than a
model that never saw them. Each task:

1. **Project**: every linear layer below the head (a classifier's backbone,
   a detector's encoder and decoder) is projected off the input
   directions the forget images use and the kept ones do not (Subspace
   removal's closed form, from one pass over each split), so the
   class-specific directions leave every block, not only the last;
2. **Reset**: the forgotten classes' head rows are set to their initial
   value (Head reset), so no output is left for them to hide behind;
3. **Repair**: fresh low-rank adapters (on attention and FFN, with the
   group lasso of GS-LoRA) are trained on the kept classes' data only, with
   the model's own loss, and merged at the end of the task. No forget image
   is trained on: the repair cannot rebuild what the projection removed.
   Optionally (``distill_weight``, classifiers) the repair also matches, on
   the kept images, the logits of the model as the task found it with the
   forgotten rows reset (what Head reset releases): the kept classes'
   accuracy that the projection cost comes back from a teacher that reads
   kept images only.

The release has the original architecture and keys. A forget image is read
only in step 1, once per task, through ``context.task_data_loader``.
"""
import torch

from mmforget.models.interface import model_kind
from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch
from .forget_retain_terms import forget_retain_terms
from .head_reset import HeadReset
from .subspace_removal import SubspaceRemoval
from .teacher_distillation import distillation_kl


@METHODS.register_module()
class ProjectResetRepair(ForgettingMethod):
    """Args:
        alpha_r (float): how strongly directions the kept images use are
            protected by the projection (``SubspaceRemoval.alpha_r``).
        alpha_f (float): how fully directions the forget images use are
            removed (``SubspaceRemoval.alpha_f``).
        max_samples (int): images of each split read for the projection.
        head_value (float): the forgotten head rows' weights (0.0, the ViT
            head's initial value).
        head_bias (float, optional): their bias (default ``head_value``;
            a sigmoid detector: -30, the logit removed, see Head reset).
        layer_alpha_f (dict, optional): {regex: alpha_f} of the layers
            projected with their own strength
            (``SubspaceRemoval.layer_alpha_f``).
        distill_weight (float): weight of the repair's logit distillation
            (``T^2 KL``, batch mean) from the task's starting model with
            the rows reset; 0 (default): none. Classifiers only.
        temperature (float): the distillation's temperature.
        name (str, optional): default 'PRR'.

    The model must carry LoRA adapters (its ``lora`` argument).
    """

    default_name = 'PRR'
    # The training batches hold kept classes only; the forget images are
    # read once per task, for the projection.
    uses_forget_data = False

    def __init__(self, alpha_r=100.0, alpha_f=300.0, max_samples=1000,
                 head_value=0.0, head_bias=None, layer_alpha_f=None,
                 distill_weight=0.0, temperature=2.0, name=None):
        super().__init__(name=name, frozen=())
        if distill_weight < 0 or temperature <= 0:
            raise ValueError(
                'distill_weight must be >= 0 and temperature > 0, got '
                f'{distill_weight} and {temperature}')
        self.projection = SubspaceRemoval(alpha_r, alpha_f, max_samples,
                                          layer_alpha_f=layer_alpha_f)
        self.head_reset = HeadReset(head_value, head_bias)
        self.distill_weight = float(distill_weight)
        self.temperature = float(temperature)
        self.teacher = None

    def is_trainable(self, name):
        return '.lora_' in name

    def check_model(self, model):
        super().check_model(model)
        if self.distill_weight and model_kind(model) != 'classifier':
            raise ValueError(
                f'{self.name} distils logits on classifiers only, and '
                f'{type(model).__name__} is a {model_kind(model)}: set '
                'distill_weight=0')
        self.projection.check_model(model)
        self.head_reset.check_model(model)

    def before_tasks(self, model, context):
        if not getattr(model, 'lora_groups', None):
            raise ValueError(
                f'{self.name} repairs with LoRA adapters, but the model has '
                'none: give the model a `lora` dict (e.g. lora=dict(rank=4))')
        if not context.max_epochs:
            raise ValueError(
                f'{self.name} trains its repair adapters: set '
                'train_cfg.max_epochs > 0')

    def start_task(self, model, context):
        """Project and reset on the released weights, then fresh adapters
        (B = 0: the model's outputs are the projected ones)."""
        super().start_task(model, context)
        self.head_reset.start_task(model, context)
        if self.distill_weight:  # the teacher: rows reset, not projected
            self.teacher = model.frozen_copy()
        self.projection.start_task(model, context)
        model.start_task(self.task_index)

    def loss(self, model, inputs, data_samples):
        forget, _ = split_batch(data_samples)
        if len(forget):
            raise RuntimeError(f'{self.name} received forget samples')
        if not self.distill_weight:
            return forget_retain_terms(model, inputs, data_samples)['retain']
        feats = model.extract_feat(inputs)
        with torch.no_grad():
            teacher = self.teacher.logits(self.teacher.extract_feat(inputs))
        return dict(
            loss_retain=model.head.loss(feats, data_samples)['loss'],
            loss_distill=self.distill_weight * distillation_kl(
                model.logits(feats), teacher, self.temperature))

    def finish_task(self, model):
        model.finish_task()  # merge the repair adapters into the weights
        self.teacher = None  # never released
