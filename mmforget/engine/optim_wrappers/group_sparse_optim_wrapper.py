"""Group lasso over the LoRA groups: few transformer blocks get changed.

``L_structure = sum_g ||theta_g||_2``, one group per block holding all its
LoRA matrices (a plain sum, no sqrt(group size) weights, as in the papers).
``subgradient`` mode adds ``alpha * L_structure`` to the loss (the papers'
way: AdamW sees its subgradient); ``proximal`` mode instead shrinks each
group after every optimizer step, ``theta_g *= max(0, 1 - lr*alpha/||theta_g||)``,
which sets unused groups exactly to zero.

``l1`` adds CLEAR's plain lasso, ``l1 * sum |theta|`` over every entry of
every adapter matrix (A and B, raw entries, not normalised by their
count), to the loss in either mode, beside the group lasso or, with
``alpha=0``, instead of it: it sparsifies entries, not whole blocks.

Under mixed precision (``AmpGroupSparseOptimWrapper``, what ``--amp`` picks)
the penalty is computed in fp32 on the fp32 weights, outside autocast, and
scaled with the loss; the proximal shrink follows the unscaled step and is
skipped with it when the loss scaler finds inf/NaN gradients.
"""
from collections import OrderedDict

import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from mmforget.registry import OPTIM_WRAPPERS

MODES = ('subgradient', 'proximal')


@OPTIM_WRAPPERS.register_module()
class GroupSparseOptimWrapper(OptimWrapper):
    """``OptimWrapper`` with the group-sparse penalty of GS-LoRA.

    The groups are the optimizer's param groups tagged ``sparse_group`` by
    ``GroupSparseOptimWrapperConstructor``.

    Args:
        alpha (float): weight of the structure loss (papers: 1e-4).
        mode (str): 'subgradient' or 'proximal'.
        warmup_epochs (int): sparsity warm-up; alpha is 0 for the first
            epochs of a task, then ``alpha_after_warmup``.
        alpha_after_warmup (float, optional): alpha_big (default: alpha).
        zero_threshold (float): a group whose norm is at most this counts
            as a zero group in ``zero_group_ratio`` (not stated by the
            papers; configurable).
        l1 (float): weight of the entry-wise l1 term over the adapters
            (CLEAR), added to the loss at every step, warm-up or not
            (default 0: none).
    """

    def __init__(self, optimizer, alpha=1e-4, mode='subgradient',
                 warmup_epochs=0, alpha_after_warmup=None,
                 zero_threshold=1e-3, l1=0.0, **kwargs):
        super().__init__(optimizer=optimizer, **kwargs)
        if mode not in MODES:
            raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
        for name, value in (('alpha', alpha),
                            ('alpha_after_warmup', alpha_after_warmup),
                            ('l1', l1)):
            if value is not None and value < 0:
                raise ValueError(f'{name} must be >= 0, got {value}')
        self.alpha = alpha
        self.mode = mode
        self.warmup_epochs = warmup_epochs
        self.alpha_after_warmup = alpha_after_warmup
        self.zero_threshold = zero_threshold
        self.l1 = float(l1)

    @property
    def groups(self):
        """{group name: its parameters}."""
        groups = OrderedDict()
        for param_group in self.optimizer.param_groups:
            if 'sparse_group' in param_group:
                groups[param_group['sparse_group']] = param_group['params']
        return groups

    def current_alpha(self):
        epoch = self.message_hub.get_info('epoch', 0)
        if epoch < self.warmup_epochs:
            return 0.0
        if self.alpha_after_warmup is not None and self.warmup_epochs:
            return self.alpha_after_warmup
        return self.alpha

    @staticmethod
    def _norm(params):
        return torch.sqrt(sum((p**2).sum() for p in params))

    def structure_loss(self):
        """sum_g ||theta_g||_2 (differentiable)."""
        return sum(self._norm(params) for params in self.groups.values())

    def l1_loss(self):
        """sum |theta| over every adapter entry (differentiable)."""
        return sum(p.abs().sum() for params in self.groups.values()
                   for p in params)

    @torch.no_grad()
    def group_norms(self):
        return OrderedDict((name, float(self._norm(params)))
                           for name, params in self.groups.items())

    def zero_group_ratio(self, threshold=None):
        threshold = self.zero_threshold if threshold is None else threshold
        norms = list(self.group_norms().values())
        return sum(n <= threshold for n in norms) / max(len(norms), 1)

    def update_params(self, loss, step_kwargs=None, zero_kwargs=None):
        alpha = self.current_alpha()
        structure = self.structure_loss()
        if self.mode == 'subgradient' and alpha > 0:
            loss = loss + alpha * structure
        if self.l1 > 0:
            entries = self.l1_loss()
            loss = loss + self.l1 * entries
            self.message_hub.update_scalar('train/loss_l1',
                                           float(entries.detach()))
        self.message_hub.update_scalar('train/loss_structure',
                                       float(structure.detach()))
        self.message_hub.update_scalar('train/sparse_alpha', alpha)
        super().update_params(loss, step_kwargs, zero_kwargs)
        self.message_hub.update_scalar('train/zero_group_ratio',
                                       self.zero_group_ratio())

    def step(self, **kwargs):
        super().step(**kwargs)
        alpha = self.current_alpha()
        if self.mode == 'proximal' and alpha > 0:
            self._soft_threshold(alpha)

    @torch.no_grad()
    def _soft_threshold(self, alpha):
        for param_group in self.optimizer.param_groups:
            if 'sparse_group' not in param_group:
                continue
            params = param_group['params']
            norm = float(self._norm(params))
            shrink = param_group['lr'] * alpha
            scale = max(0.0, 1.0 - shrink / norm) if norm > 0 else 0.0
            for param in params:
                param.mul_(scale)


@OPTIM_WRAPPERS.register_module()
class AmpGroupSparseOptimWrapper(GroupSparseOptimWrapper, AmpOptimWrapper):
    """``GroupSparseOptimWrapper`` under mmengine's AMP (fp16 with loss
    scaling, or bf16): ``AmpOptimWrapper``'s ``loss_scale`` and ``dtype``
    plus the group-sparse arguments.

    The gradients are unscaled before the step, so gradient clipping and the
    proximal shrink see true values, and a step the scaler skips (inf/NaN
    gradients, fp16 overflow) shrinks nothing either.
    """

    def step(self, **kwargs):
        self.loss_scaler.unscale_(self.optimizer)
        if self.clip_grad_kwargs:
            self._clip_grad()
        finite = all(
            bool(torch.isfinite(param.grad).all())
            for group in self.optimizer.param_groups
            for param in group['params'] if param.grad is not None)
        self.loss_scaler.step(self.optimizer, **kwargs)
        self.loss_scaler.update(self._scale_update_param)
        alpha = self.current_alpha()
        if finite and self.mode == 'proximal' and alpha > 0:
            self._soft_threshold(alpha)
