"""An mmdet ``DeformableDETR`` that learns to forget classes with GS-LoRA.

With GS-LoRA the forget loss follows the papers' detector (method.md §3): on
forget images only the classification term is negated and bounded,
``beta * ReLU(BND - L_cls)``, while the box terms (L1, GIoU) stay ordinary
positive losses (weighted by beta), so the boxes of forgotten objects are
still localised but no longer named. Retain images get the standard DETR set
loss.
``forget_scope='matched'`` (not in the papers) negates only the forgotten
boxes' own-class scores, which few-shot forgetting needs.
"""
import torch
from mmdet.models.detectors import DeformableDETR
from mmdet.registry import MODELS as MMDET_MODELS

from ..lora_forgetting_model import LoRAForgettingMixin

# The two FFN linears of every encoder and decoder layer; the capture group
# (the layer) names the sparse group: 6 + 6 = 12 groups.
DETR_FFN_TARGETS = [
    r'((?:encoder|decoder)\.layers\.\d+)\.ffn\.layers\.(?:0\.0|1)'
]


def split_forget_loss(head_losses):
    """(classification loss, box losses) of one ``loss_by_feat`` dict."""
    cls_loss, box_loss = 0., 0.
    for name, value in head_losses.items():
        if name.endswith('loss_cls'):
            cls_loss = cls_loss + value
        else:
            box_loss = box_loss + value
    return cls_loss, box_loss


@MMDET_MODELS.register_module()
class ForgettingDeformableDETR(LoRAForgettingMixin, DeformableDETR):
    """``DeformableDETR`` + per-task LoRA + a forgetting method's loss.

    Images whose metainfo says ``forget=True`` (see
    ``DetectionForgetRetainDataset``) are forget images, the others retain
    images. Its state dict has the plain detector's keys plus ``lora_A`` /
    ``lora_B``, and its merged weights load into plain mmdet. Its training
    loss is the attached forgetting method's (``train_cfg.method``), built
    from ``forget_retain_losses`` and ``class_prototypes``.

    Args:
        lora (dict, optional): ``inject_lora`` arguments (default targets:
            the 24 FFN linears, rank 8, alpha 1 so the scaling is 1/rank);
            None (default): no adapters.
        aux_loss (bool): also use the earlier decoder layers' outputs (the
            papers train with ``--no_aux_loss``: False).
        forget_scope (str): which queries' classification loss is the forget
            images' loss: ``'all'`` (the papers': every query, background
            targets included) or ``'matched'`` (only the box's own class
            score on the queries Hungarian matching assigns to a forgotten
            box, so the loss rises only by losing the forgotten class, not
            by firing other classes or on background).
        pretrained (str, optional): plain detector checkpoint to start from.
    """

    def __init__(self,
                 *args,
                 lora=None,
                 aux_loss=False,
                 forget_scope='all',
                 pretrained=None,
                 **kwargs):
        if forget_scope not in ('all', 'matched'):
            raise ValueError(
                f"forget_scope must be 'all' or 'matched', got "
                f'{forget_scope!r}')
        super().__init__(*args, **kwargs)
        self.forget_scope = forget_scope
        self.aux_loss = aux_loss
        if lora is not None:
            lora = dict(lora)
            lora.setdefault('targets', DETR_FFN_TARGETS)
            lora.setdefault('rank', 8)
        self.setup_lora(lora, pretrained)

    @torch.no_grad()
    def class_prototypes(self, dataloader=None):
        """Class prototypes are the rows of the classification head weight
        (frozen, so always the pre-trained ones): no data is needed."""
        return self.bbox_head.cls_branches[-1].weight.detach().clone()

    def forget_retain_losses(self, batch_inputs, batch_data_samples,
                             with_embeddings=False):
        """The set loss of the retain images (``retain``); the forget
        images' classification loss (``forget``, see ``forget_scope``) and
        box losses (``forget_extra``); with ``with_embeddings`` the last
        decoder layer's embeddings of the queries matched to a box, their
        classes and whether their image is a forget image."""
        img_feats = self.extract_feat(batch_inputs)
        head_inputs = self.forward_transformer(img_feats, batch_data_samples)
        cls_scores, bbox_preds = self.bbox_head(head_inputs['hidden_states'],
                                                head_inputs['references'])
        if not self.aux_loss:
            cls_scores, bbox_preds = cls_scores[-1:], bbox_preds[-1:]
        is_forget = torch.tensor(
            [bool(s.metainfo.get('forget', False))
             for s in batch_data_samples])
        terms = dict(retain=dict(), forget=None, forget_extra=dict(),
                     embeddings=None)
        retain = torch.nonzero(~is_forget).flatten()
        forget = torch.nonzero(is_forget).flatten()
        if len(retain):
            head_losses = self._head_loss(cls_scores, bbox_preds,
                                          batch_data_samples, retain)
            terms['retain'].update(
                {f'retain.{k}': v for k, v in head_losses.items()})
        if len(forget):
            head_losses = self._head_loss(cls_scores, bbox_preds,
                                          batch_data_samples, forget)
            cls_loss, box_loss = split_forget_loss(head_losses)
            if self.forget_scope == 'matched':
                cls_loss = self._matched_cls_loss(
                    cls_scores[:, forget.to(cls_scores.device)],
                    bbox_preds[:, forget.to(cls_scores.device)],
                    [batch_data_samples[i] for i in forget.tolist()])
            terms['forget'] = cls_loss
            terms['forget_extra']['loss_forget_box'] = box_loss
        if with_embeddings:
            terms['embeddings'] = self._matched_embeddings(
                head_inputs['hidden_states'][-1], cls_scores[-1],
                bbox_preds[-1], batch_data_samples, is_forget)
        return terms

    def subset_loss(self, img_feats, data_samples, indices):
        """The set loss (classification and boxes, summed) of the images
        ``indices`` of a batch whose ``extract_feat`` output is
        ``img_feats``, whatever their forget flag says (methods relabel
        the forgotten boxes and train on them)."""
        samples = [data_samples[i] for i in indices.tolist()]
        index = indices.to(img_feats[0].device)
        head_inputs = self.forward_transformer(
            tuple(f[index] for f in img_feats), samples)
        cls_scores, bbox_preds = self.bbox_head(head_inputs['hidden_states'],
                                                head_inputs['references'])
        if not self.aux_loss:
            cls_scores, bbox_preds = cls_scores[-1:], bbox_preds[-1:]
        losses = self.bbox_head.loss_by_feat(
            cls_scores, bbox_preds, None, None,
            [s.gt_instances for s in samples], [s.metainfo for s in samples])
        return sum(losses.values())

    def loss(self, batch_inputs, batch_data_samples):
        return self.method_loss(batch_inputs, batch_data_samples)

    def _head_loss(self, cls_scores, bbox_preds, data_samples, indices):
        """The head's set loss on the images ``indices`` of the batch."""
        samples = [data_samples[i] for i in indices.tolist()]
        indices = indices.to(cls_scores.device)
        return self.bbox_head.loss_by_feat(
            cls_scores[:, indices], bbox_preds[:, indices], None, None,
            [s.gt_instances for s in samples], [s.metainfo for s in samples])

    @torch.no_grad()
    def _matched_labels(self, cls_scores, bbox_preds, data_samples):
        """Per image, the class Hungarian matching gives each query
        (``num_classes`` = background), for one decoder layer's outputs."""
        return self.bbox_head.get_targets(
            list(cls_scores.detach()), list(bbox_preds.detach()),
            [s.gt_instances for s in data_samples],
            [s.metainfo for s in data_samples])[0]

    def _matched_cls_loss(self, cls_scores, bbox_preds, data_samples):
        """Classification loss of the matched queries' own-class scores, per
        decoder layer in ``cls_scores``, averaged over the matched queries."""
        total = cls_scores.sum() * 0.
        for layer_scores, layer_boxes in zip(cls_scores, bbox_preds):
            labels = torch.cat(self._matched_labels(layer_scores, layer_boxes,
                                                    data_samples))
            matched = labels < self.bbox_head.num_classes
            if matched.any():
                own_scores = layer_scores.flatten(0, 1)[matched].gather(
                    1, labels[matched, None])
                # One score column, target 0: the positive term alone.
                total = total + self.bbox_head.loss_cls(
                    own_scores, torch.zeros_like(labels[matched]),
                    avg_factor=int(matched.sum()))
        return total

    def _matched_embeddings(self, queries, cls_scores, bbox_preds,
                            data_samples, is_forget):
        """(embeddings, classes, is_forget) of the queries Hungarian
        matching gives a box."""
        labels_list = self._matched_labels(cls_scores, bbox_preds,
                                           data_samples)
        embeddings, labels, forget_flags = [], [], []
        for image, labels_of_image in enumerate(labels_list):
            matched = labels_of_image < self.bbox_head.num_classes
            embeddings.append(queries[image][matched])
            labels.append(labels_of_image[matched])
            forget_flags.append(is_forget[image].expand(int(matched.sum())))
        return (torch.cat(embeddings), torch.cat(labels),
                torch.cat(forget_flags).to(queries.device))
