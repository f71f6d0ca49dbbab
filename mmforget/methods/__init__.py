"""Forgetting methods: what trains, what is prepared, the loss, the step and
the end of a task, one class per method (see ``base.ForgettingMethod`` and
docs/en/advanced_guides/method_contract.md).

Every module of this package is imported below, so a new method's module
registers itself in ``mmforget.METHODS`` without a line here.
"""
import importlib
import pkgutil

from .base import (ForgettingMethod, build_method, gt_labels, relabelled,
                   split_batch)
from .context import TaskContext, task_seed
from .boundary_expanding import BoundaryExpanding, class_layer
from .boundary_shrink import BoundaryShrink, nearest_wrong_class
from .duck import DUCK, nearest_centroid_distance
from .forget_retain_terms import forget_retain_terms
from .fine_tune import FineTune, GradientAscent, L1Sparse
from .laf import LAF, alignment_loss, unlearning_loss
from .gs_lora import GSLoRA, GSLoRAPlus
from .random_label import (EWC, L2, MAS, RandomLabel, RandomLabelLosses,
                           random_other_labels)
from .retrain import Retrain
from .salun import SalUn, saliency_mask
from .scar import SCAR, class_gaussians, js_divergence
from .scrub import SCRUB, SCRUBS
from .slug import SLUG, pareto_front, search_step
from .ssd import SSD, dampen
from .teacher_distillation import (DER, FDR, DERPlusPlus, LwF,
                                   TeacherDistillation, distillation_kl)
from .o3 import O3, orthogonality_penalty
from .undo import UNDO

__all__ = [
    'ForgettingMethod', 'build_method', 'TaskContext', 'task_seed',
    'split_batch', 'gt_labels', 'relabelled', 'GSLoRA',
    'GSLoRAPlus', 'Retrain', 'UNDO', 'RandomLabel', 'RandomLabelLosses',
    'random_other_labels', 'L2', 'EWC', 'MAS', 'TeacherDistillation',
    'distillation_kl', 'LwF', 'DER', 'DERPlusPlus', 'FDR', 'SCRUB', 'SCRUBS',
    'FineTune', 'L1Sparse', 'GradientAscent', 'SalUn', 'saliency_mask',
    'SSD', 'dampen', 'BoundaryShrink', 'nearest_wrong_class',
    'BoundaryExpanding', 'class_layer', 'DUCK', 'nearest_centroid_distance',
    'SCAR', 'class_gaussians', 'js_divergence', 'SLUG', 'pareto_front',
    'search_step', 'LAF', 'unlearning_loss', 'alignment_loss',
    'forget_retain_terms', 'O3', 'orthogonality_penalty'
]

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f'{__name__}.{_module.name}')
