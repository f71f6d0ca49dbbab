"""LAF, Label-Agnostic Forgetting (Shen et al., ICLR 2024).

No label is read. At the start of a task two small VAEs are fitted on the
embeddings (the head's input) of the model as it then is: one on every
training image of the task (forget and retain), one on the forget images.
Each batch then takes two optimizer steps on the extractor (the head stays
frozen):

1. representation unlearning, ``sum_r exp(e_r / (e_r + 1)) - sum_f exp(e_f
   / (e_f + 1))``, ``e`` the summed squared reconstruction error of an
   embedding, by the all-data VAE for retain images and by the forget VAE
   for forget images: retain embeddings stay where the data lives, forget
   embeddings leave where the forget data lived;
2. representation alignment, ``sum_r [c_r - logsumexp_f(c'_f / tau)]`` with
   ``c = 1 - cos(h(x), h0(x))`` against the frozen task-start copy h0:
   retain embeddings return to h0's, forget embeddings stay away from it.
   This step's learning rate is ``align_lr_ratio`` times the optimizer's.

Reconstruction errors use the VAE's mean code (no sampling), so the loss of
a batch is deterministic; the decoder is linear (the authors' ends in a
sigmoid, for embeddings in [0, 1], which a ViT's are not).
"""
import torch
import torch.nn.functional as F
from torch import nn

from mmforget.registry import METHODS
from .base import ForgettingMethod, split_batch, zero_loss


class EmbeddingVAE(nn.Module):
    """A one-hidden-layer Gaussian VAE over embedding vectors."""

    def __init__(self, dims, latent=16, hidden=128):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(dims, hidden), nn.ReLU(),
                                     nn.Linear(hidden, 2 * latent))
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(),
                                     nn.Linear(hidden, dims))

    def forward(self, x, noise=None):
        """Reconstruction (from ``mean + noise * std``, or from the mean
        without ``noise``), mean and log-variance of the code."""
        mean, log_var = self.encoder(x).chunk(2, dim=1)
        code = mean if noise is None else \
            mean + noise * (0.5 * log_var).exp()
        return self.decoder(code), mean, log_var

    def reconstruction_error(self, x):
        """Per embedding, the summed squared error of its reconstruction
        from the mean code."""
        return (self(x)[0] - x).pow(2).sum(dim=1)


def fit_vae(embeddings, latent, epochs, lr, batch_size, generator):
    """An ``EmbeddingVAE`` fitted on ``embeddings`` (reconstruction + KL,
    Adam); frozen once fitted. Every draw (initial weights, order, noise)
    comes from ``generator``."""
    with torch.random.fork_rng(devices=[]):  # the global draws untouched
        vae = EmbeddingVAE(embeddings.shape[1], latent)
    with torch.no_grad():  # PyTorch's default scale for a Linear
        for layer in vae.modules():
            if isinstance(layer, nn.Linear):
                bound = layer.in_features**-0.5
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)
    vae.to(embeddings.device)
    optimizer = torch.optim.Adam(vae.parameters(), lr=lr)
    for _ in range(epochs):
        order = torch.randperm(len(embeddings), generator=generator)
        for start in range(0, len(embeddings), batch_size):
            x = embeddings[order[start:start + batch_size]]
            noise = torch.randn((len(x), latent), generator=generator)
            recon, mean, log_var = vae(x, noise.to(x.device))
            kl = -0.5 * (1 + log_var - mean.pow(2) - log_var.exp()).sum(1)
            loss = ((recon - x).pow(2).sum(1) + kl).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return vae.eval().requires_grad_(False)


def unlearning_loss(retain_errors, forget_errors):
    """``sum exp(e_r / (e_r + 1)) - sum exp(e_f / (e_f + 1))``."""
    bounded = lambda e: (e / (e + 1)).exp().sum()  # noqa: E731
    return bounded(retain_errors) - bounded(forget_errors)


def alignment_loss(retain, retain_reference, forget, forget_reference, tau):
    """``sum_r [c_r - logsumexp_f(c'_f / tau)]``, ``c = 1 - cos`` between
    an embedding and the reference model's of the same image."""
    c_retain = 1 - F.cosine_similarity(retain, retain_reference, dim=1)
    loss = c_retain.sum()
    if len(forget):
        c_forget = 1 - F.cosine_similarity(forget, forget_reference, dim=1)
        loss = loss - len(retain) * torch.logsumexp(c_forget / tau, dim=0)
    return loss


@METHODS.register_module()
class LAF(ForgettingMethod):
    """Args:
        latent (int): the VAEs' code size (the authors: 8 for CNNs, 16 for
            ResNets).
        vae_epochs (int): epochs of each VAE's fit (10).
        vae_lr (float): its Adam learning rate (1e-3).
        tau (float): temperature of the alignment step (20).
        align_lr_ratio (float): the alignment step's learning rate over
            the unlearning step's (the authors: 2 for CNNs, 5 for ResNets).
    """

    model_kinds = ('classifier', )  # reads its embedding or logits

    default_name = 'LAF'

    def __init__(self, latent=16, vae_epochs=10, vae_lr=1e-3, tau=20.0,
                 align_lr_ratio=2.0, vae_batch_size=64, name=None):
        super().__init__(name=name)
        self.latent = latent
        self.vae_epochs = vae_epochs
        self.vae_lr = vae_lr
        self.tau = tau
        self.align_lr_ratio = align_lr_ratio
        self.vae_batch_size = vae_batch_size
        self.reference = None
        self.all_data_vae = None
        self.forget_vae = None
        self.phase = 'unlearn'

    @torch.no_grad()
    def _embeddings(self, model, dataloader):
        was_training = model.training
        model.eval()
        embeddings = [model.embed(model.data_preprocessor(data, False)
                                  ['inputs']) for data in dataloader]
        model.train(was_training)
        return torch.cat(embeddings)

    def start_task(self, model, context):
        super().start_task(model, context)
        self.reference = model.frozen_copy()
        # The task's own draws: a resumed run fits the same VAEs.
        seed = context.task_seed
        generator = torch.Generator()
        generator.manual_seed(seed)
        self.all_data_vae, self.forget_vae = (
            fit_vae(self._embeddings(model, context.task_data_loader(split)),
                    self.latent, self.vae_epochs, self.vae_lr,
                    self.vae_batch_size, generator)
            for split in ('all', 'forget'))

    def train_step(self, model, data, optim_wrapper):
        """The unlearning step, then the alignment step at
        ``align_lr_ratio`` times the learning rate, on the same batch."""
        self.phase = 'unlearn'
        log = dict(model.train_step(data, optim_wrapper=optim_wrapper))
        self.phase = 'align'
        groups = optim_wrapper.optimizer.param_groups
        rates = [group['lr'] for group in groups]
        for group in groups:
            group['lr'] *= self.align_lr_ratio
        try:
            log.update(model.train_step(data, optim_wrapper=optim_wrapper))
        finally:
            for group, rate in zip(groups, rates):
                group['lr'] = rate
        return log

    def loss(self, model, inputs, data_samples):
        forget, retain = (i.to(inputs.device)
                          for i in split_batch(data_samples))
        embeddings = model.embed(inputs)
        if self.phase == 'unlearn':
            return dict(loss_unlearn=unlearning_loss(
                self.all_data_vae.reconstruction_error(embeddings[retain]),
                self.forget_vae.reconstruction_error(embeddings[forget])))
        if not len(retain):
            return dict(loss_align=zero_loss(model))
        with torch.no_grad():
            reference = self.reference.embed(inputs)
        return dict(loss_align=alignment_loss(
            embeddings[retain], reference[retain], embeddings[forget],
            reference[forget], self.tau))
