"""An mmpretrain ``ImageClassifier`` that learns to forget with GS-LoRA."""
import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS

from mmforget.registry import MODELS
from ..lora_forgetting_model import LoRAForgettingMixin

# The two FFN linears of every block of mmpretrain's VisionTransformer; the
# capture group (the block index) names the sparse group.
VIT_FFN_TARGETS = [r'backbone\.layers\.(\d+)\.ffn\.layers\.(?:0\.0|1)']


def select_samples(feats, data_samples, indices):
    """The features and data samples of a subset of the batch."""
    return (tuple(f[indices] for f in feats),
            [data_samples[i] for i in indices.tolist()])


@MMPRETRAIN_MODELS.register_module()
class ForgettingClassifier(LoRAForgettingMixin, ImageClassifier):
    """``ImageClassifier`` + per-task LoRA + the forget / retain losses.

    Its state dict has the keys of the plain classifier plus ``lora_A`` /
    ``lora_B``, so it loads mmpretrain checkpoints and its merged weights
    load into a plain mmpretrain config. In a batch, samples whose metainfo
    says ``forget=True`` (see ``ForgetRetainDataset``) get the bounded
    forgetting loss, the others the head's own loss.

    Args:
        lora (dict): ``inject_lora`` arguments: ``targets`` (regexes over
            full module names; default: the ViT FFN linears), ``rank`` (8),
            ``alpha`` (1, so the scaling is 1/rank as in the papers),
            ``dropout``.
        forget_loss (dict): a loss on the forget batch mean, default
            ``BoundedForgetLoss``.
        pretrained (str, optional): plain classifier checkpoint to start
            from; loaded strictly in ``init_weights``.
        **kwargs: ``ImageClassifier`` arguments (backbone, neck, head, ...).
    """

    def __init__(self,
                 lora=dict(),
                 forget_loss=dict(type='mmforget.BoundedForgetLoss'),
                 pretrained=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.forget_loss = MODELS.build(forget_loss)
        lora = dict(lora)
        lora.setdefault('targets', VIT_FFN_TARGETS)
        self.setup_lora(lora, pretrained)

    def start_task(self, task_index):
        super().start_task(task_index)
        self.forget_loss.task = task_index

    def loss(self, inputs: torch.Tensor, data_samples) -> dict:
        feats = self.extract_feat(inputs)
        is_forget = torch.tensor(
            [bool(s.metainfo.get('forget', False)) for s in data_samples])
        losses = dict()
        retain = torch.nonzero(~is_forget).flatten()
        forget = torch.nonzero(is_forget).flatten()
        if len(retain):
            losses['loss_retain'] = self.head.loss(
                *select_samples(feats, data_samples, retain))['loss']
        if len(forget):
            forget_ce = self.head.loss(
                *select_samples(feats, data_samples, forget))['loss']
            losses['loss_forget'] = self.forget_loss(forget_ce)
            losses['forget_ce'] = forget_ce.detach()  # logged, not optimised
        return losses
