"""The forgetting checks on known answers: a synthetic world of class
clusters where the original model knows every class, a "hidden" model only
masks the forgotten classes in its head (same features), and a "gone"
model maps both forgotten classes onto one shared cluster (nothing in the
features tells them apart), as a Retrain model that never saw them."""
import numpy as np
import pytest
from sklearn.svm import SVC

from mmforget.evaluation.checks import (ClassConditionalMIA, KNNProbe,
                                        LinearProbe, MIAEfficacy,
                                        ModelOutputs, PrototypeAttack,
                                        SplitOutputs, format_gap_card,
                                        gap_card, logit_scaled_confidence,
                                        metric_dictionary, metric_specs,
                                        residual, run_checks)

NUM_CLASSES, DIM, FORGOTTEN = 6, 16, [4, 5]


def world(kind, per_class=40, seed=0):
    """ModelOutputs of the original / hidden / gone model; the head is the
    nearest-class-mean classifier of the cluster centres."""
    rng = np.random.default_rng(seed)
    centres = 4 * np.linalg.qr(rng.normal(size=(DIM, DIM)))[0][:NUM_CLASSES]
    shared = 4 * np.linalg.qr(rng.normal(size=(DIM, DIM)))[0][NUM_CLASSES]
    weight = centres.copy()
    bias = -0.5 * (centres**2).sum(1)
    if kind == 'hidden':
        weight[FORGOTTEN] = -centres[FORGOTTEN]
    if kind == 'gone':
        weight[FORGOTTEN] = 0.1 * centres[FORGOTTEN]  # a shrunken row

    def split(classes, offset):
        labels = np.repeat(classes, per_class)
        split_rng = np.random.default_rng(seed * 100 + offset)
        means = np.stack([shared if (kind == 'gone' and c in FORGOTTEN)
                          else centres[c] for c in labels])
        feats = means + 0.5 * split_rng.normal(size=means.shape)
        return SplitOutputs(feats, feats @ weight.T + bias, labels)

    kept = [c for c in range(NUM_CLASSES) if c not in FORGOTTEN]
    return ModelOutputs(
        dict(forget_train=split(FORGOTTEN, 1), retain_train=split(kept, 2),
             forget_test=split(FORGOTTEN, 3), retain_test=split(kept, 4)),
        forgotten=FORGOTTEN, head_weight=weight, head_bias=bias)


def test_head_logits_reproduce_the_split_logits():
    outputs = world('hidden')
    split = outputs['retain_test']
    np.testing.assert_allclose(outputs.head_logits(split.feats),
                               split.logits)


@pytest.mark.parametrize('check', [LinearProbe(), KNNProbe()])
def test_probes_flag_a_hidden_class_and_not_a_gone_one(check):
    results = {kind: check(world(kind))
               for kind in ('original', 'hidden', 'gone')}
    prefix = 'probe' if isinstance(check, LinearProbe) else 'knn'
    acc_f = {kind: r[f'{prefix}_acc_f'] for kind, r in results.items()}
    # Same features: the probe reads the hidden classes as the original.
    assert acc_f['hidden'] == acc_f['original'] >= 95
    # Two forgotten classes on one cluster: chance between them.
    assert 30 <= acc_f['gone'] <= 70
    assert residual(acc_f['original'], acc_f['hidden'], acc_f['gone']) == 1
    assert residual(acc_f['original'], acc_f['gone'], acc_f['gone']) == 0
    assert all(r[f'{prefix}_acc_r'] >= 95 for r in results.values())


def test_prototype_attack_brings_a_hidden_class_back():
    hidden = world('hidden')
    acc_f_before = 100 * np.mean(hidden['forget_train'].logits.argmax(1) ==
                                 hidden['forget_train'].labels)
    assert acc_f_before == 0
    attacked = PrototypeAttack()(hidden)
    assert attacked['proto_acc_f'] >= 95 and attacked['proto_acc_r'] >= 95
    # Where the two forgotten classes share one cluster their prototypes
    # agree, so the attack cannot tell them apart.
    assert PrototypeAttack()(world('gone'))['proto_acc_f'] <= 70


def test_prototype_attack_scales_to_the_kept_rows_not_the_shrunken_one():
    """A gone model's forgotten rows are shrunken; at alpha=1 a row becomes
    the unit prototype times the kept rows' mean norm, with their mean
    bias; at alpha=0.5 half of that plus half the old row."""
    gone = world('gone')
    attack = PrototypeAttack()
    prototypes = attack.prototypes(gone['forget_test'], FORGOTTEN)
    np.testing.assert_allclose(np.linalg.norm(prototypes, axis=1), 1)
    kept_norm = np.linalg.norm(gone.head_weight[:4], axis=1).mean()
    weight, bias = attack.attacked_head(gone, 1.0)
    np.testing.assert_allclose(weight[FORGOTTEN], kept_norm * prototypes)
    np.testing.assert_allclose(weight[:4], gone.head_weight[:4])
    np.testing.assert_allclose(bias[FORGOTTEN], gone.head_bias[:4].mean())
    weight, _ = attack.attacked_head(gone, 0.5)
    np.testing.assert_allclose(
        weight[FORGOTTEN],
        0.5 * kept_norm * prototypes + 0.5 * gone.head_weight[FORGOTTEN])


def test_mia_efficacy_is_the_svc_on_the_documented_splits():
    outputs = world('original')
    n_test = len(outputs['retain_test'].labels)

    def conf(split):
        p = np.exp(split.logits - split.logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        return p[np.arange(len(split.labels)), split.labels]

    members = conf(outputs['retain_train'])[:n_test]
    non_members = conf(outputs['retain_test'])
    svc = SVC(C=3, gamma='auto', kernel='rbf').fit(
        np.r_[members, non_members][:, None],
        np.r_[np.ones(n_test), np.zeros(n_test)])
    expected = 100 * (1 - svc.predict(
        conf(outputs['forget_train'])[:, None]).mean())
    assert MIAEfficacy()(outputs)['mia_efficacy'] == pytest.approx(expected)


def test_mia_efficacy_known_answers():
    """Members sure of their class (p_y near 1), non-members unsure (near
    0.25): a forget set that looks like members scores 0, one that looks
    like non-members 100."""
    def split(p_y, n, label=0):
        logits = np.zeros((n, 4))
        logits[:, label] = np.log(3 * p_y / (1 - p_y))  # softmax -> p_y
        return SplitOutputs(np.zeros((n, 2)), logits, np.full(n, label))

    def outputs(forget_p):
        return ModelOutputs(dict(
            retain_train=split(0.99, 30), retain_test=split(0.25, 20),
            forget_train=split(forget_p, 10), forget_test=split(0.5, 10)),
            forgotten=[1])
    assert MIAEfficacy()(outputs(0.99))['mia_efficacy'] == 0
    assert MIAEfficacy()(outputs(0.25))['mia_efficacy'] == 100


def test_class_conditional_mia_is_about_50_without_a_signal_and_100_with_one():
    outputs = world('original', per_class=60)
    same = ClassConditionalMIA()(outputs)
    assert 30 <= same['class_mia_loss_acc'] <= 70
    assert 30 <= same['class_mia_conf_auc'] <= 70
    # Members remembered: the own-class margin of the test images 20
    # lower (about -4: a loss of about 4, against about 0 for the
    # training images, whose margin is about 16).
    unseen = outputs['forget_test']
    unseen.logits[np.arange(len(unseen.labels)), unseen.labels] -= 20
    leaky = ClassConditionalMIA()(outputs)
    assert leaky['class_mia_loss_acc'] >= 95
    assert leaky['class_mia_conf_auc'] >= 95


def test_logit_scaled_confidence_by_hand():
    logits = np.array([[2.0, 0.0, -1.0], [0.0, 50.0, 800.0]])
    split = SplitOutputs(np.zeros((2, 1)), logits, np.array([0, 2]))
    p = np.exp(2) / (np.exp(2) + 1 + np.exp(-1))
    values = logit_scaled_confidence(split)
    assert values[0] == pytest.approx(np.log(p / (1 - p)))
    assert values[1] == pytest.approx(750.0)  # p_y = 1.0 in float64


def test_gap_card_and_metric_dictionary():
    checks = [dict(type='mmforget.LinearProbe'),
              dict(type='mmforget.PrototypeAttack')]
    o, h, g = (run_checks(checks, world(kind))
               for kind in ('original', 'hidden', 'gone'))
    rows = {row['metric']: row for row in gap_card(o, h, g)}
    assert rows['probe_acc_f']['residual'] == 1
    assert rows['probe_acc_f']['gap'] == pytest.approx(
        abs(h['probe_acc_f'] - g['probe_acc_f']))
    assert rows['probe_acc_r']['residual'] is None  # a 'higher' metric
    text = format_gap_card(gap_card(o, h, g))
    assert '| probe_acc_f | near R |' in text
    dictionary = metric_dictionary()
    for name, spec in metric_specs().items():
        assert f'| {name} | {spec.direction} |' in dictionary


def test_outputs_refuse_a_missing_split():
    with pytest.raises(ValueError, match='forget_test'):
        ModelOutputs({k: world('original')[k] for k in
                      ('forget_train', 'retain_train', 'retain_test')},
                     forgotten=FORGOTTEN)


def test_face_verification_of_forgotten_and_never_seen_identities():
    """Identities on their own clusters verify (rank-1 100), the forgotten
    ones of a head-only change too; identities collapsed onto one point
    cannot be told apart (rank-1 at chance among 2)."""
    from mmforget.evaluation.checks import FaceVerification
    rng = np.random.default_rng(0)

    def identities(n_ids, per_id, collapsed=False):
        centres = 4 * np.linalg.qr(rng.normal(size=(DIM, DIM)))[0][:n_ids]
        labels = np.repeat(np.arange(n_ids), per_id)
        means = centres[0 if collapsed else labels]
        feats = means + 0.3 * rng.normal(size=(len(labels), DIM))
        return SplitOutputs(feats, np.zeros((len(labels), 0)), labels)

    outputs = world('original')
    outputs.extra['never_seen'] = identities(10, 30)
    results = FaceVerification()(outputs)
    assert results['verify_never_seen_rank1'] == 100
    assert results['verify_never_seen_tar@0.01'] == 100
    assert results['verify_forgotten_rank1'] == 100  # hidden: still verifies
    assert results['verify_forgotten_tar@0.001'] is None  # too few pairs
    outputs.extra['never_seen'] = identities(2, 60, collapsed=True)
    collapsed = FaceVerification()(outputs)
    assert 30 <= collapsed['verify_never_seen_rank1'] <= 70
    with pytest.raises(ValueError, match='never-seen identities'):
        FaceVerification()(world('original'))
