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


def can_stratify_a_tenth(labels):
    """Whether a held-out tenth can hold every class: each class has two
    samples or more, and a tenth of the samples is at least one per
    class."""
    counts = np.unique(labels, return_counts=True)[1]
    return counts.min() >= 2 and 0.1 * len(labels) >= len(counts)


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
    prefix = 'probe'
    model_kinds = ('classifier', 'detector')
    metrics = probe_metrics(prefix, 'linear probe')

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
        fit, held_out, fit_labels, held_labels = train_test_split(
            feats, labels, test_size=0.1, random_state=self.seed,
            stratify=labels if can_stratify_a_tenth(labels) else None)
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
                           outputs, self.prefix)


@FORGETTING_CHECKS.register_module()
class KNNProbe(ForgettingCheck):
    """k nearest neighbours (cosine, k=5, UUEF's protocol) among the
    embeddings of all classes' training images."""
    prefix = 'knn'
    model_kinds = ('classifier', 'detector')
    metrics = probe_metrics(prefix, 'k-NN probe')

    def __init__(self, k=5, per_class=100, seed=0):
        self.k = k
        self.per_class = per_class
        self.seed = seed

    def __call__(self, outputs):
        from sklearn.neighbors import KNeighborsClassifier
        feats, labels = probe_training_set(outputs, self.per_class,
                                           self.seed)
        knn = KNeighborsClassifier(self.k, metric='cosine').fit(feats, labels)
        return score_probe(knn.predict, outputs, self.prefix)


@FORGETTING_CHECKS.register_module()
class MLPProbe(ForgettingCheck):
    """A perceptron with one hidden ReLU layer (Adam, minibatches of
    ``batch_size``) on standardised embeddings of all classes' training
    images (at most ``per_class`` each): a class that is no longer
    linearly separable may still be there (a linear eraser only removes
    what a linear probe sees). It trains on nine tenths of them and keeps
    the epoch with the lowest cross-entropy on the held-out tenth,
    stopping after ``patience`` epochs without a gain of ``tol`` (the
    loss, not the accuracy: a small held-out set reaches its best
    accuracy long before the probe has converged). Where a tenth cannot
    hold every class it trains ``max_epochs`` epochs on all of them."""
    prefix = 'mlp_probe'
    model_kinds = ('classifier', 'detector')
    metrics = probe_metrics(prefix, 'MLP probe')

    def __init__(self, hidden=256, per_class=100, alpha=1e-4, batch_size=64,
                 max_epochs=200, patience=10, tol=1e-3, seed=0):
        self.hidden = hidden
        self.per_class = per_class
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.tol = tol
        self.seed = seed

    def __call__(self, outputs):
        import copy

        from sklearn.metrics import log_loss
        from sklearn.model_selection import train_test_split
        from sklearn.neural_network import MLPClassifier
        from sklearn.preprocessing import StandardScaler
        from threadpoolctl import threadpool_limits
        feats, labels = probe_training_set(outputs, self.per_class,
                                           self.seed)
        classes = np.unique(labels)
        held_out = None
        if can_stratify_a_tenth(labels):
            feats, held_out, labels, held_labels = train_test_split(
                feats, labels, test_size=0.1, random_state=self.seed,
                stratify=labels)
        scaler = StandardScaler().fit(feats)
        feats = scaler.transform(feats)
        probe = MLPClassifier(
            hidden_layer_sizes=(self.hidden,), alpha=self.alpha,
            batch_size=self.batch_size, random_state=self.seed)
        held_out = None if held_out is None else scaler.transform(held_out)
        best, best_loss, waited = probe, np.inf, 0
        # Minibatch products are too small for BLAS threads to pay; on
        # shared cores their waiting costs tenfold.
        with threadpool_limits(1, user_api='blas'):
            for _ in range(self.max_epochs):
                probe.partial_fit(feats, labels, classes=classes)  # 1 epoch
                if held_out is None:
                    continue
                loss = log_loss(held_labels, probe.predict_proba(held_out),
                                labels=classes)
                if loss < best_loss:
                    best = copy.deepcopy(probe)
                if loss < best_loss - self.tol:
                    waited = 0
                else:
                    waited += 1
                    if waited >= self.patience:
                        break
                best_loss = min(best_loss, loss)
        return score_probe(lambda x: best.predict(scaler.transform(x)),
                           outputs, self.prefix)
