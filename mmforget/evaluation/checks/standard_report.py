"""The unlearning field's standard accuracies (SalUn / Unlearn-Sparse
tables), read from the same outputs as every other check."""
from mmforget.registry import FORGETTING_CHECKS
from .base import ForgettingCheck, MetricSpec, accuracy

# The field's Avg.Gap: mean |U - R| over these.
AVG_GAP_METRICS = ('ua', 'ra', 'ta', 'mia_efficacy')


@FORGETTING_CHECKS.register_module()
class StandardReport(ForgettingCheck):
    """UA = 100 - accuracy on the forgotten classes' training images, RA =
    accuracy on the kept classes' training images, TA = accuracy on the
    kept classes' test images, and the forgotten classes' test accuracy
    (the papers' Acc_f, here over every class forgotten so far). On a
    detector they are the matched queries' class accuracies over objects
    (not AP: a sigmoid detector has no no-object score, so a query that
    says "nothing" counts as the class it scores least low)."""
    model_kinds = ('classifier', 'detector')
    metrics = dict(
        ua=MetricSpec('reference', 'Retrain (100 class-wise)',
                      'forget_train', 'unlearning accuracy, 100 - Acc, %'),
        ra=MetricSpec('higher', 'Retrain', 'retain_train',
                      'retain accuracy, %'),
        ta=MetricSpec('higher', 'Retrain', 'retain_test',
                      'test accuracy of the kept classes, %'),
        acc_f_test=MetricSpec('lower', 'Retrain (0)', 'forget_test',
                              'test accuracy of the forgotten classes, %'),
        rte=MetricSpec('lower', 'Retrain', 'the run',
                       'run time efficiency: training minutes of the run up '
                       'to this task (from its summary, see add_run_time)'))

    def __call__(self, outputs):
        def acc(split):
            return accuracy(outputs[split].logits, outputs[split].labels)
        forget_train = acc('forget_train')
        return dict(ua=None if forget_train is None else 100 - forget_train,
                    ra=acc('retain_train'), ta=acc('retain_test'),
                    acc_f_test=acc('forget_test'))


def add_run_time(results, minutes, reference_minutes=None):
    """RTE, which no model output holds: the forgotten model's (U) and the
    reference's (R) training minutes, read from their runs' summaries."""
    if 'U' in results:
        results['U']['rte'] = round(minutes, 3)
    if 'R' in results and reference_minutes is not None:
        results['R']['rte'] = round(reference_minutes, 3)
    return results


def run_minutes(tasks, upto):
    """Training minutes of a run's summary tasks 0..``upto``."""
    return sum(t.get('train_seconds') or 0 for t in tasks[:upto + 1]) / 60
