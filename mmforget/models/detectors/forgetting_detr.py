"""mmdet's DETR family (DETR, Conditional DETR, DAB-DETR, Deformable DETR with
refine and two-stage, DINO) made to forget classes with per-task LoRA.

The model provides the primitives a forgetting method's loss is built from
(``head_outputs``, its own ``set_loss``, the ``forget_set_loss`` whose
classification terms a forget loss turns around, ``counted_layers``,
``matched_labels``); the forget/retain split, ``forget_scope`` and the
papers' bounded forget loss are the methods'
(``mmforget.methods.forget_retain_terms``).

Two-stage proposals (Deformable two-stage's class-agnostic objectness) keep
their positive loss on forget images: they say where an object is, not what
it is. DINO is treated in :class:`ForgettingDINO`.
"""
import torch
from mmdet.models.dense_heads import DETRHead
from mmdet.models.detectors import (DABDETR, DETR, DINO, ConditionalDETR,
                                    DeformableDETR)
from mmdet.registry import MODELS as MMDET_MODELS

from mmforget.lora import detector_lora_targets
from ..lora_forgetting_model import LoRAForgettingMixin


class DETRForgettingMixin(LoRAForgettingMixin):
    """What a DETR-family detector needs to forget: its set loss on a subset
    of the images, matched queries and class prototypes.

    Images whose metainfo says ``forget=True`` (see
    ``DetectionForgetRetainDataset``) are forget images, the others retain
    images. The state dict has the plain detector's keys plus ``lora_A`` /
    ``lora_B``, and the merged weights load into plain mmdet. The training
    loss is the attached forgetting method's (``train_cfg.method``).

    Args:
        lora (dict, optional): ``inject_lora`` arguments (default targets:
            the FFN linears of the 6 encoder and 6 decoder layers, 12 groups;
            rank 8, alpha 1 so the scaling is 1/rank); None (default): no
            adapters.
        aux_loss (bool): also use the earlier decoder layers' outputs (the
            papers train with ``--no_aux_loss``: False).
        pretrained (str, optional): plain detector checkpoint to start from.
    """

    def __init__(self, *args, lora=None, aux_loss=False, forget_scope=None,
                 pretrained=None, **kwargs):
        if forget_scope is not None:
            raise ValueError(
                'forget_scope is the forgetting method\'s setting now: move '
                f'model.forget_scope={forget_scope!r} to '
                'train_cfg.method.forget_scope')
        super().__init__(*args, **kwargs)
        self.aux_loss = aux_loss
        if lora is not None:
            lora = dict(lora)
            if lora.get('targets') is None:
                lora['targets'] = detector_lora_targets(self)
            lora.setdefault('rank', 8)
        self.setup_lora(lora, pretrained)

    # -- the pieces a family changes ---------------------------------------
    def head_outputs(self, img_feats, data_samples):
        """Class scores and boxes of every decoder layer (matching queries
        only) and what the set loss needs besides (``head_inputs``)."""
        head_inputs = self.forward_transformer(img_feats, data_samples)
        hidden_states = head_inputs['hidden_states']
        references = head_inputs.get('references')
        if references is None:
            cls_scores, bbox_preds = self.bbox_head(hidden_states)
        else:
            cls_scores, bbox_preds = self.bbox_head(hidden_states, references)
        return dict(cls_scores=cls_scores, bbox_preds=bbox_preds,
                    queries=hidden_states[-1], head_inputs=head_inputs)

    def set_loss(self, outputs, data_samples, indices):
        """The detector's own set loss on the images ``indices``."""
        cls_scores, bbox_preds = self.counted_layers(outputs, indices)
        return self.bbox_head.loss_by_feat(
            cls_scores, bbox_preds, *self._targets(data_samples, indices))

    def forget_set_loss(self, outputs, data_samples, indices):
        """The set loss whose classification terms the forget loss turns
        around (the same as :meth:`set_loss` unless a family says why)."""
        return self.set_loss(outputs, data_samples, indices)

    def class_branches(self):
        """The linear layer that scores the classes of each decoder layer,
        the last layer's last (one module when the layers share it)."""
        return [self.bbox_head.fc_cls]

    def class_weight_rows(self):
        """The last decoder layer's classifier weight, one row per class."""
        return self.class_branches()[-1].weight[:self.bbox_head.num_classes]

    # -- shared ---------------------------------------------------------------
    def counted_layers(self, outputs, indices, prefix=''):
        """Class scores and boxes of the decoder layers that count (the last
        one without ``aux_loss``) for the images ``indices`` (``prefix``
        'all_': DINO's denoising queries included)."""
        index = indices.to(outputs['cls_scores'].device)
        cls_scores = outputs[f'{prefix}cls_scores'][:, index]
        bbox_preds = outputs[f'{prefix}bbox_preds'][:, index]
        if not self.aux_loss:
            cls_scores, bbox_preds = cls_scores[-1:], bbox_preds[-1:]
        return cls_scores, bbox_preds

    @staticmethod
    def _targets(data_samples, indices):
        samples = [data_samples[i] for i in indices.tolist()]
        return ([s.gt_instances for s in samples],
                [s.metainfo for s in samples])

    @property
    def uses_softmax(self):
        """Plain DETR scores classes + no-object with a softmax."""
        return not self.bbox_head.loss_cls.use_sigmoid

    @torch.no_grad()
    def class_prototypes(self, dataloader=None):
        """Class prototypes are the rows of the classification head weight
        (frozen, so always the pre-trained ones): no data is needed."""
        return self.class_weight_rows().detach().clone()

    def subset_loss(self, img_feats, data_samples, indices):
        """The set loss (classification and boxes, summed) of the images
        ``indices`` of a batch whose ``extract_feat`` output is
        ``img_feats``, whatever their forget flag says (methods relabel
        the forgotten boxes and train on them)."""
        samples = [data_samples[i] for i in indices.tolist()]
        index = indices.to(img_feats[0].device)
        outputs = self.head_outputs(tuple(f[index] for f in img_feats),
                                    samples)
        losses = self.set_loss(outputs, samples,
                               torch.arange(len(samples)))
        return sum(losses.values())

    def loss(self, batch_inputs, batch_data_samples):
        return self.method_loss(batch_inputs, batch_data_samples)

    @torch.no_grad()
    def matched_labels(self, cls_scores, bbox_preds, data_samples):
        """Per image, the class Hungarian matching gives each query
        (``num_classes`` = background), for one decoder layer's outputs."""
        return self.bbox_head.get_targets(
            list(cls_scores.detach()), list(bbox_preds.detach()),
            [s.gt_instances for s in data_samples],
            [s.metainfo for s in data_samples])[0]



@MMDET_MODELS.register_module()
class ForgettingDETR(DETRForgettingMixin, DETR):
    """Plain DETR (softmax over classes + no-object) that forgets."""


@MMDET_MODELS.register_module()
class ForgettingConditionalDETR(DETRForgettingMixin, ConditionalDETR):
    """Conditional DETR (sigmoid focal classification) that forgets."""


@MMDET_MODELS.register_module()
class ForgettingDABDETR(DETRForgettingMixin, DABDETR):
    """DAB-DETR (sigmoid focal classification) that forgets."""


class DeformableForgettingMixin(DETRForgettingMixin):
    """Deformable DETR's head has one class branch per decoder layer (and
    one more for two-stage proposals) and takes the proposals' outputs."""

    def set_loss(self, outputs, data_samples, indices):
        cls_scores, bbox_preds = self.counted_layers(outputs, indices)
        return self.bbox_head.loss_by_feat(
            cls_scores, bbox_preds, *self._proposals(outputs, indices),
            *self._targets(data_samples, indices))

    @staticmethod
    def _proposals(outputs, indices):
        """Two-stage proposals' scores and boxes of the images (None, None
        for one-stage models and outside training)."""
        enc_cls = outputs['head_inputs'].get('enc_outputs_class')
        if enc_cls is None:
            return None, None
        index = indices.to(enc_cls.device)
        return (enc_cls[index],
                outputs['head_inputs']['enc_outputs_coord'][index])

    def class_branches(self):
        # One branch per decoder layer; a two-stage model's proposal branch
        # after them scores objectness (Deformable DETR) or picks where the
        # queries start (DINO), not a box's class, and is left out.
        branches = []
        for branch in self.bbox_head.cls_branches[:self.decoder.num_layers]:
            if not any(branch is seen for seen in branches):
                branches.append(branch)
        return branches


@MMDET_MODELS.register_module()
class ForgettingDeformableDETR(DeformableForgettingMixin, DeformableDETR):
    """Deformable DETR (also with box refine and two-stage) that forgets."""


@MMDET_MODELS.register_module()
class ForgettingDINO(DeformableForgettingMixin, DINO):
    """DINO that forgets.

    DINO trains with denoising queries: noised copies of the ground-truth
    boxes whose class enters through ``dn_query_generator.label_embedding``
    (frozen, like the class branches). Forgotten classes get no denoising
    queries: the boxes of forget images are left out of the denoising part,
    which only ever teaches to reconstruct a box from its given label, and
    is not used at inference. Retain images keep their denoising queries and
    loss. The forget images' loss is the matching queries' set loss alone;
    their proposals' loss is left out too, since DINO's proposals are
    scored per class and a positive term would keep naming the forgotten
    class.
    """

    def head_outputs(self, img_feats, data_samples):
        outputs = super().head_outputs(
            img_feats, self._without_forget_boxes(data_samples))
        dn_meta = outputs['head_inputs'].get('dn_meta')
        if dn_meta is not None:
            num_dn = dn_meta['num_denoising_queries']
            outputs['all_cls_scores'] = outputs['cls_scores']
            outputs['all_bbox_preds'] = outputs['bbox_preds']
            outputs['cls_scores'] = outputs['cls_scores'][:, :, num_dn:]
            outputs['bbox_preds'] = outputs['bbox_preds'][:, :, num_dn:]
            outputs['queries'] = outputs['queries'][:, num_dn:]
        return outputs

    def set_loss(self, outputs, data_samples, indices):
        """DINO's own loss: matching queries, proposals and, in training,
        the denoising queries."""
        dn_meta = outputs['head_inputs'].get('dn_meta')
        if dn_meta is None:
            return super().set_loss(outputs, data_samples, indices)
        cls_scores, bbox_preds = self.counted_layers(outputs, indices, 'all_')
        return self.bbox_head.loss_by_feat(
            cls_scores, bbox_preds, *self._proposals(outputs, indices),
            *self._targets(data_samples, indices), dn_meta)

    def forget_set_loss(self, outputs, data_samples, indices):
        cls_scores, bbox_preds = self.counted_layers(outputs, indices)
        return DETRHead.loss_by_feat(self.bbox_head, cls_scores, bbox_preds,
                                     *self._targets(data_samples, indices))

    @staticmethod
    def _without_forget_boxes(data_samples):
        """The samples as the denoising-query generator sees them: forget
        images without boxes (copies; the originals are not changed)."""
        if not any(s.metainfo.get('forget', False) for s in data_samples):
            return data_samples
        samples = []
        for sample in data_samples:
            if sample.metainfo.get('forget', False):
                sample = sample.clone()
                instances = sample.gt_instances
                sample.gt_instances = instances[
                    torch.zeros(len(instances), dtype=torch.bool)]
            samples.append(sample)
        return samples
