"""O3: an orthogonal adapter trained on the forget data alone, switched on
per image by one detector per request.

Per request t: random-label cross-entropy on the forget images (labels
drawn uniformly from every class, the true one included, as O3's code
does) plus ``orthogonality_weight * sum_layers sum_{s<t} ||A_s A_t^T||_F^2``
over the adapters' down-projections A (the B's are free). No kept image
enters the loss. The adapter evolves: request t starts from request t-1's
adapter (O3's public script; its per-request-adapter reading is not built
here). At the end of a request a detector is fitted on the frozen original
model's block tokens of the request's forget images (``RequestGate``), and
the adapters, never merged, act only on images a detector claims
(``GatedAdapterClassifier``). The original weights ship with the gate:
gated suppression, not erasure.
"""
import torch
import torch.nn.functional as F

from mmforget.lora import lora_modules
from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch, zero_loss


def down_projections(model):
    """{adapter name: its A (rank, d_in)}, detached copies."""
    return {name: module.lora_A.detach().clone()
            for name, module in lora_modules(model)}


def orthogonality_penalty(model, earlier):
    """``sum_layers sum_s ||A_s A^T||_F^2``: ``earlier`` holds one
    ``down_projections`` dict per earlier request, A is the adapter now."""
    if not earlier:
        return zero_loss(model)
    total = 0.
    for name, module in lora_modules(model):
        for snapshot in earlier:
            total = total + (snapshot[name] @ module.lora_A.T).pow(2).sum()
    return total


@METHODS.register_module()
class O3(ForgettingMethod):
    """Args:
        orthogonality_weight (float): lambda_orth (O3: 0.1).
        gate_quantile (float): the share of held-out forget images a
            request's detector may miss (its threshold's quantile).
        heldout_share (float): the share of a request's forget images kept
            out of its detector's statistics to standardise and calibrate
            it (O3: 0.2).
        detector_blocks (list[int], optional): the blocks whose class
            tokens the detectors read (None: all, as O3's every layer).
        name (str, optional): default 'O3'.

    Needs a ``GatedAdapterClassifier`` (configs/o3/).
    """

    default_name = 'O3'
    model_kinds = ('classifier', )

    def __init__(self, orthogonality_weight=0.1, gate_quantile=0.05,
                 heldout_share=0.2, detector_blocks=None, name=None):
        super().__init__(name=name, frozen=())
        if not 0 < heldout_share < 1:
            raise ValueError(
                f'heldout_share must be in (0, 1), got {heldout_share}')
        if not 0 <= gate_quantile < 1:
            raise ValueError(
                f'gate_quantile must be in [0, 1), got {gate_quantile}')
        self.orthogonality_weight = orthogonality_weight
        self.gate_quantile = gate_quantile
        self.heldout_share = heldout_share
        self.detector_blocks = (None if detector_blocks is None else
                                [int(b) for b in detector_blocks])
        self.earlier = []  # down_projections at the end of each request
        self.context = None

    def check_model(self, model):
        super().check_model(model)
        if not hasattr(model, 'adapter_gate'):
            raise TypeError(
                f'{self.name} gates adapters per image: the model must be a '
                f"GatedAdapterClassifier (model=dict(type="
                f"'GatedAdapterClassifier', lora=...), see configs/o3/), not "
                f'{type(model).__name__}')

    def is_trainable(self, name):
        return '.lora_' in name

    def start_task(self, model, context):
        super().start_task(model, context)
        self.context = context
        if self.task_index == 0:
            model.start_task(0)  # a fresh adapter (B = 0)
        model.task_index = self.task_index  # later requests: it evolves
        model.gate_bypassed = True

    def resume(self, model, context, finished_tasks):
        """The down-projections each finished request ended with."""
        self.earlier = []
        for index in range(finished_tasks):
            context.load_released_task(index)
            self.earlier.append(down_projections(model))

    def loss(self, model, inputs, data_samples):
        forget, _ = split_batch(data_samples)
        losses = {}
        if len(forget):
            index = forget.to(inputs.device)
            logits = model.logits(model.extract_feat(inputs[index]))
            random_labels = torch.randint(logits.shape[1], (len(forget), ),
                                          device=logits.device)
            losses['loss_random_label'] = F.cross_entropy(logits,
                                                          random_labels)
        else:  # a batch of kept images only: nothing to learn from it
            losses['loss_random_label'] = zero_loss(model)
        losses['loss_orthogonality'] = self.orthogonality_weight * \
            orthogonality_penalty(model, self.earlier)
        return losses

    def finish_task(self, model):
        """Keep the adapter unmerged, fit this request's detector."""
        model.gate_bypassed = False
        self.earlier.append(down_projections(model))
        tokens = []
        was_training = model.training
        model.eval()
        for data in self.context.task_data_loader('forget'):
            data = model.data_preprocessor(data, False)
            tokens.append(model.block_tokens(data['inputs']).cpu())
        model.train(was_training)
        if not tokens:
            raise ValueError(
                f'{self.name} fits a detector on the forget images of each '
                f'request; task {self.task_index} has none')
        tokens = torch.cat(tokens)
        order = torch.randperm(len(tokens), generator=torch.Generator()
                               .manual_seed(self.context.task_seed))
        heldout = max(2, int(round(self.heldout_share * len(tokens))))
        device = next(model.parameters()).device
        model.adapter_gate.add_request(
            tokens[order[heldout:]].to(device),
            tokens[order[:heldout]].to(device), self.gate_quantile,
            self.detector_blocks)
