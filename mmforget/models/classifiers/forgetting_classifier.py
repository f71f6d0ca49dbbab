"""An mmpretrain ``ImageClassifier`` that forgetting methods can train."""
import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS

from mmforget.lora import classifier_lora_targets
from ..lora_forgetting_model import LoRAForgettingMixin


def select_samples(feats, data_samples, indices):
    """The features and data samples of a subset of the batch."""
    return (tuple(f[indices] for f in feats),
            [data_samples[i] for i in indices.tolist()])


@MMPRETRAIN_MODELS.register_module()
class ForgettingClassifier(LoRAForgettingMixin, ImageClassifier):
    """``ImageClassifier`` + optional per-task LoRA + a forgetting method.

    Its state dict has the keys of the plain classifier (plus ``lora_A`` /
    ``lora_B`` when it has adapters), so it loads mmpretrain checkpoints and
    its merged weights load into a plain mmpretrain config. Its training
    loss is the one of the forgetting method that ``ContinualForgettingLoop``
    attaches (``train_cfg.method``); the model provides the pieces methods
    use (``mmforget.models.interface.ClassifierModel``): ``logits``,
    ``embed``, ``subset_loss``, ``class_prototypes``.

    Args:
        lora (dict, optional): ``inject_lora`` arguments: ``targets``
            (regexes over full module names; default: the ViT FFN linears),
            ``rank`` (8), ``alpha`` (1, so the scaling is 1/rank as in the
            papers), ``dropout``. None (default): no adapters (methods that
            train the weights themselves).
        pretrained (str, optional): plain classifier checkpoint to start
            from; loaded strictly in ``init_weights``.
        **kwargs: ``ImageClassifier`` arguments (backbone, neck, head, ...).
    """

    def __init__(self, lora=None, pretrained=None, **kwargs):
        super().__init__(**kwargs)
        if lora is not None:
            lora = dict(lora)
            if lora.get('targets') is None:
                lora['targets'] = classifier_lora_targets(self)
        self.setup_lora(lora, pretrained)

    def embed(self, inputs):
        """The embedding the head classifies (its ``pre_logits``)."""
        return self.head.pre_logits(self.extract_feat(inputs))

    def logits(self, feats):
        """Class scores of ``extract_feat`` output, without any training
        margin."""
        return self.head(feats)

    @torch.no_grad()
    def class_prototypes(self, dataloader):
        """Mean embedding of every class in ``dataloader``, from the model
        as it is now; rows of classes without samples are zero (and never
        used: those classes have no samples)."""
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
        self.train(was_training)
        return sums / counts.clamp(min=1).unsqueeze(1)

    def subset_loss(self, feats, data_samples, indices):
        """The head's training loss on the samples ``indices`` of a batch
        whose ``extract_feat`` output is ``feats``, whatever their forget
        flag says (methods relabel forget samples and train on them)."""
        return self.head.loss(
            *select_samples(feats, data_samples, indices))['loss']

    def loss(self, inputs: torch.Tensor, data_samples) -> dict:
        return self.method_loss(inputs, data_samples)
