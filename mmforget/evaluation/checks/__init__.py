"""Checks that tell a forgotten class from a hidden one (membership
inference, probes on the embedding, relearning attacks), and the gap card
that compares the original, forgotten and Retrain models on them."""
from .base import (SPLITS, ForgettingCheck, MetricSpec, ModelOutputs,
                   SplitOutputs)
from .gap_card import (avg_gap, format_gap_card, gap_card, metric_dictionary,
                       metric_specs, residual, run_checks)
from .outputs import collect_outputs, head_parameters
from .standard_report import AVG_GAP_METRICS, StandardReport
from .membership import (ClassConditionalMIA, MIAEfficacy,
                         logit_scaled_confidence, svc_non_member_share)
from .probes import KNNProbe, LinearProbe
from .prototype_attack import PrototypeAttack

__all__ = [
    'SPLITS', 'ForgettingCheck', 'MetricSpec', 'ModelOutputs',
    'SplitOutputs', 'avg_gap', 'format_gap_card', 'gap_card',
    'metric_dictionary', 'metric_specs', 'residual', 'run_checks',
    'ClassConditionalMIA', 'MIAEfficacy', 'logit_scaled_confidence',
    'svc_non_member_share', 'KNNProbe', 'LinearProbe', 'PrototypeAttack',
    'collect_outputs', 'head_parameters', 'AVG_GAP_METRICS',
    'StandardReport', 'DEFAULT_CHECKS'
]

# The cheap checks, run unless a config names others.
DEFAULT_CHECKS = [
    dict(type='mmforget.StandardReport'),
    dict(type='mmforget.MIAEfficacy'),
    dict(type='mmforget.ClassConditionalMIA'),
    dict(type='mmforget.LinearProbe'),
    dict(type='mmforget.KNNProbe'),
    dict(type='mmforget.PrototypeAttack'),
]
