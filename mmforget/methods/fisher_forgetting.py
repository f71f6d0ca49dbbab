"""Fisher forgetting: training-free, Gaussian noise scaled by the inverse
Fisher information of the retain data.

At the start of each task, with the weights the task starts from, the
diagonal Fisher ``F`` of every noised weight is the mean over the task's
retain images, one image at a time, of the squared gradient of the model's
own loss (a classifier's CE at the true label, i.e. the negative
log-likelihood; model in eval mode). Then ``w <- w + sqrt(min(alpha / F,
max_var)) * eps``, ``eps`` standard normal drawn from the task seed: weights
the retain data barely uses get the most noise (at most ``max_var``), those
it relies on almost none. By default the backbone is noised and the head is
left as it is, so that what is forgotten is forgotten in the features.
Nothing trains: its configs set ``train_cfg.max_epochs=0``.
"""
import torch

from mmforget.registry import METHODS
from .base import ForgettingMethod, batch_loss, refuse_training
from .scrub import subset_batch


def diagonal_fisher(model, params, dataloader, max_samples=None):
    """{name: mean over samples of (d loss_i / d theta)^2}, one backward
    pass per sample (loss_i: the model's own loss on sample i alone), eval
    mode, the first ``max_samples`` samples (default: all)."""
    totals = {n: torch.zeros_like(p) for n, p in params.items()}
    was_training = model.training
    model.eval()
    samples = 0
    for data in dataloader:
        for index in range(len(data['data_samples'])):
            if max_samples is not None and samples >= max_samples:
                break
            loss = batch_loss(model, subset_batch(data, [index]))
            grads = torch.autograd.grad(loss, list(params.values()),
                                        allow_unused=True)
            for name, grad in zip(params, grads):
                if grad is not None:
                    totals[name] += grad.pow(2)
            samples += 1
    model.train(was_training)
    return {n: t / max(samples, 1) for n, t in totals.items()}


def fisher_noise_std(fisher, alpha, max_var):
    """``sqrt(min(alpha / F, max_var))``: a weight of zero Fisher gets
    ``sqrt(max_var)``."""
    return (alpha / fisher).clamp(max=max_var).sqrt()


def fisher_noise(fisher, alpha, max_var, seed):
    """{name: std * eps}, ``eps`` standard normal from ``seed`` drawn on the
    CPU in the order of ``fisher`` (the same noise on any device)."""
    generator = torch.Generator().manual_seed(int(seed))
    noise = {}
    for name, value in fisher.items():
        eps = torch.randn(value.shape, generator=generator,
                          dtype=torch.float64)
        std = fisher_noise_std(value.detach().cpu().double(), alpha, max_var)
        noise[name] = (std * eps).to(value.dtype)
    return noise


@METHODS.register_module()
class FisherForgetting(ForgettingMethod):
    """Args:
        alpha (float): the noise scale, variance ``alpha / F`` (1e-6).
        max_var (float): the largest variance a weight gets (1e-3: the
            benchmark code bounds 1 / F by 1e3 before the factor alpha).
        noise_head (bool): noise the head as well (the paper noises every
            weight). Default False: the backbone only.
        fisher_samples (int, optional): how many retain images the Fisher
            is averaged over (default: all of the task's).
        name (str, optional): the name in summaries (default 'Fisher
            forgetting').
    """

    default_name = 'Fisher forgetting'
    model_kinds = ('classifier', )  # the head's name decides what is noised

    def __init__(self, alpha=1e-6, max_var=1e-3, noise_head=False,
                 fisher_samples=None, name=None):
        if alpha <= 0 or max_var <= 0:
            raise ValueError(f'alpha ({alpha}) and max_var ({max_var}) '
                             'must be positive')
        if fisher_samples is not None and fisher_samples < 1:
            raise ValueError(
                f'fisher_samples must be positive, got {fisher_samples}')
        # The frozen prefixes are the weights left without noise.
        super().__init__(name=name, frozen=() if noise_head else ('head.', ))
        self.alpha = float(alpha)
        self.max_var = float(max_var)
        self.noise_head = noise_head
        self.fisher_samples = fisher_samples
        self.clamped = None

    def before_tasks(self, model, context):
        """Refuse a schedule that would train: there is no loss."""
        refuse_training(self, context)

    def start_task(self, model, context):
        """The Fisher of this task's retain images under the current
        weights, then the noise of this task's seed (a resumed task draws
        the same)."""
        super().start_task(model, context)
        self.set_trainable(model)  # the gradients the Fisher needs
        params = {n: p for n, p in model.named_parameters()
                  if p.requires_grad}
        fisher = diagonal_fisher(model, params,
                                 context.task_data_loader('retain'),
                                 self.fisher_samples)
        noise = fisher_noise(fisher, self.alpha, self.max_var,
                             context.task_seed)
        with torch.no_grad():
            for name, param in params.items():
                param.add_(noise[name].to(param.device))
        self.clamped = int(sum((self.alpha / f >= self.max_var).sum()
                               for f in fisher.values()))

    def loss(self, model, inputs, data_samples):
        raise RuntimeError(
            f'{self.name} is training-free (it adds noise to the weights at '
            'the start of each task): set train_cfg.max_epochs=0')
