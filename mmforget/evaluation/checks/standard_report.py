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
    (the papers' Acc_f, here over every class forgotten so far)."""
    metrics = dict(
        ua=MetricSpec('reference', 'Retrain (100 class-wise)',
                      'forget_train', 'unlearning accuracy, 100 - Acc, %'),
        ra=MetricSpec('higher', 'Retrain', 'retain_train',
                      'retain accuracy, %'),
        ta=MetricSpec('higher', 'Retrain', 'retain_test',
                      'test accuracy of the kept classes, %'),
        acc_f_test=MetricSpec('lower', 'Retrain (0)', 'forget_test',
                              'test accuracy of the forgotten classes, %'))

    def __call__(self, outputs):
        def acc(split):
            return accuracy(outputs[split].logits, outputs[split].labels)
        forget_train = acc('forget_train')
        return dict(ua=None if forget_train is None else 100 - forget_train,
                    ra=acc('retain_train'), ta=acc('retain_test'),
                    acc_f_test=acc('forget_test'))
