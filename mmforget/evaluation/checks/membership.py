"""Membership inference: does the model still treat the forgotten classes'
training images as training images?"""
import numpy as np
from scipy.special import logsumexp

from mmforget.registry import FORGETTING_CHECKS
from .base import ForgettingCheck, MetricSpec, softmax


def true_class_confidence(split):
    """Softmax probability of each sample's own class, p_y."""
    probs = softmax(split.logits)
    return probs[np.arange(len(split.labels)), split.labels]


def logit_scaled_confidence(split):
    """log(p_y / (1 - p_y)) = z_y - logsumexp of the other classes' logits,
    computed without forming p_y (it saturates at 1)."""
    rows = np.arange(len(split.labels))
    own = split.logits[rows, split.labels]
    others = split.logits.copy()
    others[rows, split.labels] = -np.inf
    return own - logsumexp(others, axis=1)


def cross_entropy(split, clip=100.0):
    """Per-sample CE loss, clipped as in SCRUB's attack."""
    log_probs = split.logits - logsumexp(split.logits, axis=1,
                                         keepdims=True)
    loss = -log_probs[np.arange(len(split.labels)), split.labels]
    return np.clip(loss, -clip, clip)


def svc_non_member_share(members, non_members, targets):
    """The Unlearn-Sparse / SalUn attack on one 1-D feature: an RBF SVC
    (C=3, gamma='auto', no scaling) fitted to members (1) vs non-members
    (0), applied to the targets; the share predicted non-member, in %."""
    from sklearn.svm import SVC
    features = np.concatenate([members, non_members])[:, None]
    is_member = np.concatenate([np.ones(len(members)),
                                np.zeros(len(non_members))])
    attack = SVC(C=3, gamma='auto', kernel='rbf').fit(features, is_member)
    return float(100 * (1 - attack.predict(targets[:, None]).mean()))


@FORGETTING_CHECKS.register_module()
class MIAEfficacy(ForgettingCheck):
    """The field's standard MIA-Efficacy (Unlearn-Sparse, SalUn): an SVC
    learns "train vs test" from the kept classes' confidence p_y (members:
    the first |test| training images of the kept classes, in dataset
    order; non-members: the kept classes' test images) and labels the
    forgotten classes' training images, every one of them (the evaluator
    does not cap that split). Class-wise, Retrain scores about
    100, so it mostly repeats 100 - Acc_f: weak evidence on its own."""
    metrics = dict(mia_efficacy=MetricSpec(
        'reference', 'Retrain (about 100 class-wise)',
        'attack fit: the first n_test of retain_train vs retain_test; '
        'applied to every forget_train image',
        'share of the forgotten classes\' training images an SVC on the '
        'confidence p_y labels non-member, %'))

    # p_y is a softmax over the class logits, which a sigmoid detector's
    # objects do not have.
    model_kinds = ('classifier',)

    def __init__(self, max_per_side=10000):
        self.max_per_side = max_per_side

    def __call__(self, outputs):
        test = true_class_confidence(outputs['retain_test'])
        members = true_class_confidence(outputs['retain_train'])[:len(test)]
        cap = self.max_per_side
        return dict(mia_efficacy=svc_non_member_share(
            members[:cap], test[:cap],
            true_class_confidence(outputs['forget_train'])))


@FORGETTING_CHECKS.register_module()
class ClassConditionalMIA(ForgettingCheck):
    """SCRUB's class-conditional attack: can a logistic regression tell a
    forgotten class's training images from its test images? Features: the
    CE loss and the logit-scaled confidence, one attack each; the larger
    side is subsampled to the smaller, 5 stratified shuffle splits.
    Retrain scores about 50 (it never saw either side)."""
    metrics = {
        f'class_mia_{feature}_{score}': MetricSpec(
            'reference', 'Retrain (about 50)',
            'forget_train (members) vs forget_test (non-members)',
            f'attack {score} on the {name}, %')
        for feature, name in (('loss', 'cross-entropy loss'),
                              ('conf', 'logit-scaled confidence'))
        for score in ('acc', 'auc')
    }

    # The loss and the confidence are a softmax's, like MIAEfficacy's.
    model_kinds = ('classifier',)

    def __init__(self, n_splits=5, seed=0):
        self.n_splits = n_splits
        self.seed = seed

    def __call__(self, outputs):
        members, non_members = outputs['forget_train'], outputs['forget_test']
        results = {}
        for name, feature in (('loss', cross_entropy),
                              ('conf', logit_scaled_confidence)):
            acc, auc = self.attack(feature(members), feature(non_members))
            results[f'class_mia_{name}_acc'] = acc
            results[f'class_mia_{name}_auc'] = auc
        return results

    def attack(self, members, non_members):
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import StratifiedShuffleSplit
        rng = np.random.default_rng(self.seed)
        size = min(len(members), len(non_members))
        if size < 2 * self.n_splits:
            return None, None
        members = rng.choice(members, size, replace=False)
        non_members = rng.choice(non_members, size, replace=False)
        features = np.concatenate([members, non_members])[:, None]
        is_member = np.concatenate([np.ones(size), np.zeros(size)])
        splits = StratifiedShuffleSplit(n_splits=self.n_splits,
                                        random_state=self.seed)
        accs, aucs = [], []
        for train, test in splits.split(features, is_member):
            attack = LogisticRegression().fit(features[train],
                                              is_member[train])
            accs.append(attack.score(features[test], is_member[test]))
            aucs.append(roc_auc_score(
                is_member[test],
                attack.predict_proba(features[test])[:, 1]))
        return float(100 * np.mean(accs)), float(100 * np.mean(aucs))
