"""Builds the optimizer with one param group per LoRA sparse group.

The group-sparse wrapper needs to know which parameters form a group; the
model lists them in ``model.lora_groups`` (returned by ``inject_lora``), and
this constructor turns each into a param group tagged ``sparse_group``.
"""
from mmengine.optim import DefaultOptimWrapperConstructor
from mmengine.registry import OPTIM_WRAPPERS, OPTIMIZERS

from mmforget.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class GroupSparseOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Param groups from ``model.lora_groups``; frozen parameters left out."""

    def __call__(self, model):
        if hasattr(model, 'module'):
            model = model.module
        groups = getattr(model, 'lora_groups', None)
        if not groups:
            raise ValueError(
                f'{type(model).__name__} has no `lora_groups`: the group-'
                'sparse optimizer needs a LoRA-injected mmforget model (e.g. '
                'mmforget ForgettingClassifier); otherwise use OptimWrapper')
        if self.paramwise_cfg:
            raise NotImplementedError(
                'paramwise_cfg is not supported with the group-sparse '
                'constructor: all LoRA groups share the optimizer settings')
        seen = set()
        param_groups = []
        for name, modules in groups.items():
            params = []
            for module in modules:
                for param in module.parameters():
                    if param.requires_grad and id(param) not in seen:
                        seen.add(id(param))
                        params.append(param)
            param_groups.append(dict(params=params, sparse_group=str(name)))
        others = [p for p in model.parameters()
                  if p.requires_grad and id(p) not in seen]
        if others:
            param_groups.append(dict(params=others))
        optimizer_cfg = dict(self.optimizer_cfg, params=param_groups)
        optimizer = OPTIMIZERS.build(optimizer_cfg)
        return OPTIM_WRAPPERS.build(
            self.optim_wrapper_cfg, default_args=dict(optimizer=optimizer))
