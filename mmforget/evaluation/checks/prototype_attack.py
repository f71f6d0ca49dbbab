"""The prototype relearning attack: no training, one forward pass. An
attacker with a few images of a forgotten class writes their mean
embedding into that class's head row; if the features still tell the
class apart, it comes back. GS-LoRA freezes the head, so everything it
forgets lives in the features, which is what this attack tests."""
import numpy as np

from mmforget.registry import FORGETTING_CHECKS
from .base import ForgettingCheck, MetricSpec, accuracy


def unit(rows):
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True).clip(1e-12)


@FORGETTING_CHECKS.register_module()
class PrototypeAttack(ForgettingCheck):
    """For every forgotten class, ``shots`` of its test images (the
    attacker's pool) give a prototype, the normalised mean of their
    normalised embeddings; the class's row becomes ``alpha * prototype +
    (1 - alpha) * row``. A linear head's prototype is scaled to the mean
    norm of the kept classes' rows and the row's bias set to their mean
    bias (a class that was never trained on has a shrunken row; scaling by
    it would make the attack look weaker on Retrain). The largest Acc_f
    on the forgotten classes' training images over ``alphas`` is the
    score."""
    metrics = dict(
        proto_acc_f=MetricSpec(
            'reference', 'Retrain (O is the upper end)',
            'prototypes: shots of forget_test; scored on forget_train',
            'Acc_f after the attack, the best alpha, %'),
        proto_acc_r=MetricSpec(
            'higher', 'the model before the attack',
            'scored on retain_test, at the best alpha',
            'Acc_r after the attack, %'))

    # On a detector an edited head changes which queries matching picks,
    # which the outputs of fixed matched queries cannot show.
    model_kinds = ('classifier',)

    def __init__(self, shots=5, alphas=(0.5, 0.8, 1.0), seed=0):
        self.shots = shots
        self.alphas = alphas
        self.seed = seed

    def __call__(self, outputs):
        best = None
        for alpha in self.alphas:
            weight, bias = self.attacked_head(outputs, alpha)
            acc_f = accuracy(outputs.head_logits(
                outputs['forget_train'].feats, weight, bias),
                outputs['forget_train'].labels)
            if best is None or acc_f > best[0]:
                acc_r = accuracy(outputs.head_logits(
                    outputs['retain_test'].feats, weight, bias),
                    outputs['retain_test'].labels)
                best = (acc_f, acc_r)
        return dict(proto_acc_f=best[0], proto_acc_r=best[1])

    def attacked_head(self, outputs, alpha):
        """The head's weight and bias with every forgotten row attacked."""
        if outputs.head_weight is None:
            raise ValueError('PrototypeAttack needs the head weights '
                             '(ModelOutputs.head_weight)')
        weight = np.array(outputs.head_weight, dtype=np.float64)
        forgotten = np.asarray(sorted(outputs.forgotten))
        kept = np.setdiff1d(np.arange(len(weight)), forgotten)
        prototypes = self.prototypes(outputs['forget_test'], forgotten)
        if outputs.head_kind == 'linear':
            prototypes = prototypes * np.linalg.norm(
                weight[kept], axis=1).mean()
            rows = weight[forgotten]
        else:
            rows = unit(weight[forgotten])
        weight[forgotten] = alpha * prototypes + (1 - alpha) * rows
        bias = outputs.head_bias
        if bias is not None:
            bias = np.array(bias, dtype=np.float64)
            bias[forgotten] = bias[kept].mean()
        return weight, bias

    def prototypes(self, pool, classes):
        rng = np.random.default_rng(self.seed)
        rows = []
        for c in classes:
            idx = np.flatnonzero(pool.labels == c)
            if len(idx) == 0:
                raise ValueError(f'no test image of forgotten class {c} '
                                 'for the prototype attack')
            idx = rng.choice(idx, min(self.shots, len(idx)), replace=False)
            rows.append(unit(unit(pool.feats[idx]).mean(axis=0)))
        return np.stack(rows)
