"""GS-LoRA and GS-LoRA++ as forgetting methods.

Only the LoRA adapters of the model train (a fresh adapter per task, B = 0),
the forget samples get the bounded forget loss ``beta * ReLU(BND - L_f)``,
the retain samples their ordinary loss, and the task ends by merging the
adapters into the weights. GS-LoRA++ adds the prototype loss, with class
prototypes taken from the model at the start of each task. The group-sparse
penalty lives in the optimizer wrapper (``GroupSparseOptimWrapper``).
"""
from mmforget.models.losses import value_for_task
from mmforget.registry import METHODS, MODELS
from .base import ForgettingMethod
from .forget_retain_terms import check_forget_scope, forget_retain_terms


@METHODS.register_module()
class GSLoRA(ForgettingMethod):
    """Args:
        forget_loss (dict): the bounded forget loss on the forget batch mean.
        prototype_loss (dict, optional): GS-LoRA++'s ``PrototypeLoss``.
        forget_scope (str): a detector's forget loss: 'all' (the papers':
            every query's classification loss) or 'matched' (only the
            own-class scores of the queries matched to a forgotten box; see
            ``forget_retain_terms.detr_terms``).
        name (str, optional): default 'GS-LoRA' (or 'GS-LoRA++' with a
            prototype loss).

    The model must carry LoRA adapters (its ``lora`` argument).
    """

    def __init__(self,
                 forget_loss=dict(type='mmforget.BoundedForgetLoss'),
                 prototype_loss=None,
                 forget_scope='all',
                 name=None):
        super().__init__(
            name=name or ('GS-LoRA++' if prototype_loss else 'GS-LoRA'),
            frozen=())
        self.forget_scope = check_forget_scope(forget_scope)
        self.forget_loss = MODELS.build(forget_loss)
        self.prototype_loss = (MODELS.build(prototype_loss)
                               if prototype_loss else None)
        # Plain tensors held here: never in a checkpoint.
        self.prototypes = None

    def is_trainable(self, name):
        return '.lora_' in name

    def before_tasks(self, model, context):
        if not getattr(model, 'lora_groups', None):
            raise ValueError(
                f'{self.name} trains LoRA adapters, but the model has none: '
                'give the model a `lora` dict (e.g. lora=dict(rank=4))')

    def start_task(self, model, context):
        super().start_task(model, context)
        model.start_task(self.task_index)  # fresh adapters
        for loss in (self.forget_loss, self.prototype_loss):
            if loss is not None:
                loss.task = self.task_index
        self.prototypes = None
        if self.prototype_loss is not None:
            self.prototypes = model.class_prototypes(
                context.task_data_loader())

    def loss(self, model, inputs, data_samples):
        terms = forget_retain_terms(
            model, inputs, data_samples,
            with_embeddings=self.prototype_loss is not None,
            forget_scope=self.forget_scope)
        losses = dict(terms['retain'])
        if terms['forget'] is not None:
            beta = value_for_task(self.forget_loss.loss_weight,
                                  self.forget_loss.task, 'loss_weight')
            losses['loss_forget'] = self.forget_loss(terms['forget'])
            for key, value in terms['forget_extra'].items():
                losses[key] = beta * value
            losses['forget_ce'] = terms['forget'].detach()  # logged only
        if self.prototype_loss is not None:
            if self.prototypes is None:
                raise RuntimeError(
                    'GS-LoRA++ needs class prototypes: they are computed at '
                    'the start of each task (start_task)')
            embeddings, labels, is_forget = terms['embeddings']
            if len(embeddings):
                losses['loss_prototype'] = self.prototype_loss(
                    embeddings, labels, is_forget, self.prototypes)
            else:
                losses['loss_prototype'] = embeddings.sum() * 0.
        return losses

    def finish_task(self, model):
        model.finish_task()  # merge the adapters into the weights


@METHODS.register_module()
class GSLoRAPlus(GSLoRA):
    """GS-LoRA++: GS-LoRA with the papers' prototype loss by default."""

    # Its loss pushes the forgotten classes' embeddings away from their
    # class prototypes: what the prototype attack reads.
    trains_against = ('proto_', )

    def __init__(self,
                 prototype_loss=dict(type='mmforget.PrototypeLoss'),
                 **kwargs):
        super().__init__(prototype_loss=prototype_loss, **kwargs)
