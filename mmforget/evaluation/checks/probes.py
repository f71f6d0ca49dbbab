"""Probes on the frozen embedding: is a forgotten class still separable in
the features, whatever the head says? A model that only hides a class
behind its output layer keeps a probe accuracy near the original's; one
that forgot it falls to Retrain's (which is not 0: features generalise)."""
import numpy as np

from mmforget.registry import FORGETTING_CHECKS
from .base import ForgettingCheck, MetricSpec, subsample_per_class


def probe_training_set(outputs, per_class, seed):
    """Embeddings and labels of the kept and forgotten classes' training
    images, at most ``per_class`` of each class."""
    feats = np.concatenate([outputs['retain_train'].feats,
                            outputs['forget_train'].feats])
    labels = np.concatenate([outputs['retain_train'].labels,
                             outputs['forget_train'].labels])
    keep = subsample_per_class(labels, per_class, seed)
    return feats[keep], labels[keep]


def probe_metrics(prefix, name):
    return {
        f'{prefix}_acc_f': MetricSpec(
            'reference', 'Retrain (O is the upper end)',
            'fit: retain_train + forget_train; scored on forget_test',
            f'{name} accuracy on the forgotten classes\' test images, %'),
        f'{prefix}_acc_r': MetricSpec(
            'higher', 'the original model',
            'fit: retain_train + forget_train; scored on retain_test',
            f'{name} accuracy on the kept classes\' test images, %'),
    }


def score_probe(predict, outputs, prefix):
    """``<prefix>_acc_f`` / ``<prefix>_acc_r``: the probe's accuracy on the
    forgotten / kept classes' test images (None for an empty split)."""
    return {f'{prefix}_{key}': (
        float(100 * np.mean(predict(outputs[split].feats) ==
                            outputs[split].labels))
        if len(outputs[split].labels) else None)
        for key, split in (('acc_f', 'forget_test'),
                           ('acc_r', 'retain_test'))}


@FORGETTING_CHECKS.register_module()
class LinearProbe(ForgettingCheck):
    """An L2 multinomial logistic regression on standardised embeddings of
    all classes' training images (at most ``per_class`` each), fitted on
    nine tenths of them for each C of ``cs``; the C that scores best on the
    held-out tenth is the probe. The fits go through ``cs`` in ascending
    order, each starting from the previous solution (the same optima,
    fewer iterations)."""
    metrics = probe_metrics('probe', 'linear probe')

    def __init__(self, per_class=100, cs=(0.01, 0.1, 1.0, 10.0),
                 max_iter=1000, seed=0):
        self.per_class = per_class
        self.cs = sorted(cs)
        self.max_iter = max_iter
        self.seed = seed

    def __call__(self, outputs):
        import copy

        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        feats, labels = probe_training_set(outputs, self.per_class,
                                           self.seed)
        counts = np.unique(labels, return_counts=True)[1]
        stratified = counts.min() >= 2 and 0.1 * len(labels) >= len(counts)
        fit, held_out, fit_labels, held_labels = train_test_split(
            feats, labels, test_size=0.1, random_state=self.seed,
            stratify=labels if stratified else None)
        scaler = StandardScaler().fit(fit)
        fit, held_out = scaler.transform(fit), scaler.transform(held_out)
        probe = LogisticRegression(max_iter=self.max_iter, warm_start=True)
        best, best_score = None, -1.0
        for c in self.cs:
            probe.set_params(C=c).fit(fit, fit_labels)
            score = probe.score(held_out, held_labels)
            if score > best_score:
                best, best_score = copy.deepcopy(probe), score
        return score_probe(lambda x: best.predict(scaler.transform(x)),
                           outputs, 'probe')


@FORGETTING_CHECKS.register_module()
class KNNProbe(ForgettingCheck):
    """k nearest neighbours (cosine, k=5, UUEF's protocol) among the
    embeddings of all classes' training images."""
    metrics = probe_metrics('knn', 'k-NN probe')

    def __init__(self, k=5, per_class=100, seed=0):
        self.k = k
        self.per_class = per_class
        self.seed = seed

    def __call__(self, outputs):
        from sklearn.neighbors import KNeighborsClassifier
        feats, labels = probe_training_set(outputs, self.per_class,
                                           self.seed)
        knn = KNeighborsClassifier(self.k, metric='cosine').fit(feats, labels)
        return score_probe(knn.predict, outputs, 'knn')
