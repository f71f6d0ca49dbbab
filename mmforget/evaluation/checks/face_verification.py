"""Face recognisers are used through their embeddings, not their head: a
forgotten identity that still verifies has not been forgotten. Its
reference is a set of never-seen identities (a recogniser generalises to
faces it never trained on, so the target is their rate, not 0)."""
import numpy as np

from mmforget.registry import FORGETTING_CHECKS
from .base import ForgettingCheck, MetricSpec


def unit(rows):
    return rows / np.linalg.norm(rows, axis=1, keepdims=True).clip(1e-12)


def gallery_and_probes(feats, labels, gallery_size):
    """Per identity the first ``gallery_size`` images enrol (their mean
    unit embedding is the template), the rest are probes. Identities
    without a probe are left out."""
    templates, ids, probes, probe_ids = [], [], [], []
    for identity in np.unique(labels):
        rows = unit(feats[labels == identity])
        if len(rows) <= gallery_size:
            continue
        templates.append(unit(rows[:gallery_size].mean(0, keepdims=True))[0])
        ids.append(identity)
        probes.append(rows[gallery_size:])
        probe_ids += [identity] * (len(rows) - gallery_size)
    if not templates:
        return None
    return (np.stack(templates), np.asarray(ids), np.concatenate(probes),
            np.asarray(probe_ids))


def verification_scores(feats, labels, gallery_size=5, fars=(1e-2, 1e-3)):
    """Rank-1 identification among the group's identities and TAR at each
    FAR (cosine similarity of probe and template; None where there are
    fewer impostor pairs than 1 / FAR), in %."""
    split = gallery_and_probes(feats, labels, gallery_size)
    if split is None or len(split[1]) < 2:
        return dict(rank1=None, **{f'tar@{far:g}': None for far in fars})
    templates, ids, probes, probe_ids = split
    similarity = probes @ templates.T
    genuine_mask = probe_ids[:, None] == ids[None, :]
    rank1 = 100 * np.mean(ids[similarity.argmax(1)] == probe_ids)
    genuine, impostor = similarity[genuine_mask], similarity[~genuine_mask]
    result = dict(rank1=float(rank1))
    for far in fars:
        if len(impostor) < 1 / far:
            result[f'tar@{far:g}'] = None
            continue
        threshold = np.quantile(impostor, 1 - far)
        result[f'tar@{far:g}'] = float(100 * np.mean(genuine > threshold))
    return result


@FORGETTING_CHECKS.register_module()
class FaceVerification(ForgettingCheck):
    """Enrol ``gallery_size`` test images of every forgotten identity and
    of every never-seen identity (``ModelOutputs.extra['never_seen']``,
    the evaluator's ``never_seen`` dataset), probe with the rest: rank-1
    and TAR@FAR within each group. The forgotten identities should score
    what the never-seen ones score."""
    metrics = {
        f'verify_{group}_{score}': MetricSpec(
            'reference' if group == 'forgotten' else 'higher',
            'never-seen identities' if group == 'forgotten' else
            'the original model',
            f'{split}: first gallery_size images per identity enrol, the '
            'rest probe',
            f'{score} of the {group} identities on embeddings, %')
        for group, split in (('forgotten', 'forget_test'),
                             ('never_seen', 'never-seen identities'))
        for score in ('rank1', 'tar@0.01', 'tar@0.001')
    }

    def __init__(self, gallery_size=5, fars=(1e-2, 1e-3)):
        self.gallery_size = gallery_size
        self.fars = fars

    def __call__(self, outputs):
        never_seen = outputs.extra.get('never_seen')
        if never_seen is None:
            raise ValueError(
                'FaceVerification needs never-seen identities: give the '
                'evaluator never_seen=<a dataset config of identities the '
                'model never trained on>')
        results = {}
        for group, split in (('forgotten', outputs['forget_test']),
                             ('never_seen', never_seen)):
            scores = verification_scores(split.feats, split.labels,
                                         self.gallery_size, self.fars)
            results.update({f'verify_{group}_{k}': v
                            for k, v in scores.items()})
        return results
