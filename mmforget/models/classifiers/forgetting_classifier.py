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
        prototype_loss (dict, optional): GS-LoRA++'s ``PrototypeLoss`` on
            the embeddings (``head.pre_logits``); the continual loop
            computes the prototypes at the start of every task.
        pretrained (str, optional): plain classifier checkpoint to start
            from; loaded strictly in ``init_weights``.
        **kwargs: ``ImageClassifier`` arguments (backbone, neck, head, ...).
    """

    def __init__(self,
                 lora=dict(),
                 forget_loss=dict(type='mmforget.BoundedForgetLoss'),
                 prototype_loss=None,
                 pretrained=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.forget_loss = MODELS.build(forget_loss)
        self.prototype_loss = (MODELS.build(prototype_loss)
                               if prototype_loss else None)
        # A plain tensor, not a buffer: it never enters a checkpoint.
        self.prototypes = None
        lora = dict(lora)
        lora.setdefault('targets', VIT_FFN_TARGETS)
        self.setup_lora(lora, pretrained)

    def embed(self, inputs):
        """The embedding the head classifies (its ``pre_logits``)."""
        return self.head.pre_logits(self.extract_feat(inputs))

    @torch.no_grad()
    def update_prototypes(self, dataloader):
        """Mean embedding of every class in ``dataloader``, from the model
        as it is now (the start of the task, after the weights loaded)."""
        was_training = self.training
        self.eval()
        sums, counts = None, None
        for data in dataloader:
            data = self.data_preprocessor(data, False)
            embeddings = self.embed(data['inputs'])
            labels = torch.cat([s.gt_label for s in data['data_samples']])
            labels = labels.to(embeddings.device)
            if sums is None:
                num_classes = self.head.num_classes
                sums = embeddings.new_zeros(num_classes, embeddings.shape[1])
                counts = embeddings.new_zeros(num_classes)
            sums.index_add_(0, labels, embeddings)
            counts.index_add_(0, labels, torch.ones_like(labels,
                                                        dtype=counts.dtype))
        self.prototypes = sums / counts.clamp(min=1).unsqueeze(1)
        self.prototype_classes = torch.nonzero(counts).flatten().tolist()
        self.train(was_training)

    def loss(self, inputs: torch.Tensor, data_samples) -> dict:
        feats = self.extract_feat(inputs)
        is_forget = torch.tensor(
            [bool(s.metainfo.get('forget', False)) for s in data_samples])
        losses = dict()
        if self.prototype_loss is not None:
            if self.prototypes is None:
                raise RuntimeError(
                    'GS-LoRA++ needs class prototypes: they are computed by '
                    'ContinualForgettingLoop at the start of each task '
                    '(or call update_prototypes(dataloader) yourself)')
            labels = torch.cat([s.gt_label for s in data_samples])
            losses['loss_prototype'] = self.prototype_loss(
                self.head.pre_logits(feats), labels.to(inputs.device),
                is_forget.to(inputs.device), self.prototypes)
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
