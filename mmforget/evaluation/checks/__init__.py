"""Checks that tell a forgotten class from a hidden one (membership
inference, probes on the embedding, relearning attacks), and the gap card
that compares the original, forgotten and Retrain models on them."""
from .base import (SPLITS, ForgettingCheck, MetricSpec, ModelOutputs,
                   SplitOutputs)
from .gap_card import (avg_gap, format_gap_card, gap_card, metric_dictionary,
                       metric_specs, noise_band, residual, run_checks,
                       separates)
from .evaluator import (DEFAULT_CHECKS, ForgettingEvaluator, build_datasets,
                        build_model, forgetting_task)
from .outputs import EmbeddedImages, head_parameters
from .detector_outputs import EmbeddedObjects
from .standard_report import (AVG_GAP_METRICS, StandardReport, add_run_time,
                              run_minutes)
from .membership import (ClassConditionalMIA, MIAEfficacy,
                         logit_scaled_confidence, svc_non_member_share)
from .probes import KNNProbe, LinearProbe, MLPProbe
from .prototype_attack import PrototypeAttack
from .face_verification import FaceVerification, verification_scores
from .relearn import RelearnCurve
from .gate import GateOpening
from .block_probes import BlockProbes, block_probe_metrics

__all__ = [
    'SPLITS', 'ForgettingCheck', 'MetricSpec', 'ModelOutputs',
    'SplitOutputs', 'avg_gap', 'format_gap_card', 'gap_card',
    'metric_dictionary', 'metric_specs', 'noise_band', 'residual',
    'separates', 'run_checks',
    'ClassConditionalMIA', 'MIAEfficacy', 'logit_scaled_confidence',
    'svc_non_member_share', 'KNNProbe', 'LinearProbe', 'MLPProbe',
    'PrototypeAttack', 'head_parameters', 'AVG_GAP_METRICS', 'add_run_time',
    'run_minutes', 'StandardReport', 'DEFAULT_CHECKS', 'EmbeddedImages',
    'EmbeddedObjects',
    'ForgettingEvaluator', 'build_datasets', 'build_model',
    'forgetting_task', 'RelearnCurve', 'BlockProbes', 'block_probe_metrics',
    'FaceVerification', 'verification_scores', 'GateOpening'
]
