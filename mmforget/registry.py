"""mmforget's registries.

Models register straight into the registries of the repository they extend
(``mmpretrain.registry.MODELS`` for classifiers, ``mmdet.registry.MODELS``
for detectors), so an inherited ``model`` dict that carries
``_scope_='mmpretrain'`` still finds them. Everything else (datasets, loops,
hooks, optimizer wrappers, metrics, model wrappers) lives in the children of
mmengine's root registries declared here; configs name those types with the
``mmforget.`` prefix (e.g. ``type='mmforget.ContinualForgettingLoop'``), which
mmengine resolves from any default scope.
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import DefaultScope, Registry


class OwnRegistry(Registry):
    """A registry of mmforget's own concepts, with no mmengine parent. It
    builds in mmforget's scope whatever the config's default scope
    (``mmpretrain``, ``mmdet``), which mmengine would otherwise warn it
    cannot find in this registry's tree."""

    def build(self, cfg, *args, **kwargs):
        with DefaultScope.overwrite_default_scope(self.scope):
            return super().build(cfg, *args, **kwargs)


DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, scope='mmforget',
    locations=['mmforget.datasets'])
LOOPS = Registry(
    'loop', parent=MMENGINE_LOOPS, scope='mmforget',
    locations=['mmforget.engine.runner'])
HOOKS = Registry(
    'hook', parent=MMENGINE_HOOKS, scope='mmforget',
    locations=['mmforget.engine.hooks'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, scope='mmforget',
    locations=['mmforget.engine.optim_wrappers'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS, scope='mmforget',
    locations=['mmforget.engine.optim_wrappers'])
METRICS = Registry(
    'metric', parent=MMENGINE_METRICS, scope='mmforget',
    locations=['mmforget.evaluation'])
FUNCTIONS = Registry(
    'function', parent=MMENGINE_FUNCTIONS, scope='mmforget',
    locations=['mmforget.datasets'])
# Scope-agnostic model parts (losses) that both classifiers and detectors use.
MODELS = Registry(
    'model', parent=MMENGINE_MODELS, scope='mmforget',
    locations=['mmforget.models'])
# Forgetting methods (GS-LoRA, Retrain, the baselines): plain objects that
# ContinualForgettingLoop builds from ``train_cfg.method``.
METHODS = OwnRegistry('forgetting method', scope='mmforget',
                      locations=['mmforget.methods'])
# Evidence that a forgotten class is gone rather than hidden (probes,
# membership inference, relearning attacks): each names its metrics'
# direction and reference value.
FORGETTING_CHECKS = OwnRegistry('forgetting check', scope='mmforget',
                                locations=['mmforget.evaluation.checks'])
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, scope='mmforget',
    locations=['mmforget.compat'])

ALL_REGISTRIES = (DATASETS, FUNCTIONS, LOOPS, HOOKS, OPTIM_WRAPPERS,
                  OPTIM_WRAPPER_CONSTRUCTORS, METRICS, MODELS,
                  MODEL_WRAPPERS, METHODS, FORGETTING_CHECKS)
