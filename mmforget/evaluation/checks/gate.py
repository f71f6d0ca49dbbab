"""How often a gated model's gate opens (O3's detectors): the share of the
forgotten classes' test images its detectors claim, where the forgetting
acts, and of the kept classes' test images, where the adapters then act
too and cost accuracy. A model without a gate (O, R, every other method)
has no such numbers."""
import torch
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader, Subset

from mmforget.registry import FORGETTING_CHECKS
from .base import MetricSpec
from .outputs import split_indices


@FORGETTING_CHECKS.register_module()
class GateOpening:
    """``gate_forget_test``: % of the forgotten classes' test images the
    gate opens on (below 100: those images meet the original model);
    ``gate_retain_test``: % of the kept classes' test images it opens on
    (false alarms). At most ``per_class`` images of each class. Not an
    attack: the depth tables show it and never let it decide."""
    needs_model = True
    metrics = {
        'gate_forget_test': MetricSpec(
            'higher', '100 (every forgotten image gated)', 'forget_test',
            'forgotten test images the gate opens on (%); the rest see '
            'the original model', control=True),
        'gate_retain_test': MetricSpec(
            'lower', '0 (no kept image gated)', 'retain_test',
            'kept test images the gate opens on (%): false alarms',
            control=True),
    }

    def __call__(self, model, train_set, test_set, forgotten, retained,
                 original_acc_f=None, per_class=100, batch_size=64):
        if not getattr(model, 'adapter_gate', None) or \
                not model.adapter_gate.num_requests:
            return {}
        return dict(
            gate_forget_test=self.opening(model, test_set, forgotten,
                                          per_class, batch_size),
            gate_retain_test=self.opening(model, test_set, retained,
                                          per_class, batch_size))

    @staticmethod
    @torch.no_grad()
    def opening(model, dataset, classes, per_class, batch_size):
        indices = split_indices(dataset, classes, per_class)
        if not len(indices):
            return None
        was_training = model.training
        model.eval()
        opened = []
        for batch in DataLoader(Subset(dataset, [int(i) for i in indices]),
                                batch_size=batch_size,
                                collate_fn=pseudo_collate):
            data = model.data_preprocessor(batch, False)
            opened.append(model.gate(data['inputs']).cpu())
        model.train(was_training)
        return float(100 * torch.cat(opened).mean())
