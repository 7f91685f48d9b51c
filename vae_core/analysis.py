"""What the model says about one digit: its posterior, ELBO terms and reconstructions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .elbo import elbo_terms
from .latent import posterior_samples
from .model import VAE
from .render import decode_images


@dataclass
class DigitReport:
    """All per-digit figures the views show; nats, per example. elbo = log_likelihood - kl."""

    x: torch.Tensor  # (784,) the input in [0, 1]
    mu: torch.Tensor  # (D,)
    std: torch.Tensor  # (D,)
    kl_per_dim: torch.Tensor  # (D,)
    elbo: float
    log_likelihood: float
    kl: float
    reconstruction: np.ndarray  # (28, 28) uint8, decoder mean at z = mu
    samples: np.ndarray  # (n, 28, 28) uint8, decoder means at z ~ q(z|x)


@torch.inference_mode()
def describe_digit(model: VAE, x: torch.Tensor | np.ndarray, n_samples: int = 4, seed: int = 0) -> DigitReport:
    """Encode x (grey levels in [0, 1], treated as Bernoulli means) and report its ELBO terms.

    The ELBO uses one reparameterized sample with noise from `seed`, like training does, so
    the figure is reproducible; the KL is exact.
    """
    x = torch.as_tensor(x).reshape(1, -1).float()
    eps = torch.randn((1, model.config.latent_dim), generator=torch.Generator().manual_seed(seed))
    t = elbo_terms(model, x, eps)
    mu, std = t.mu[0], torch.exp(0.5 * t.logvar[0])
    z = torch.cat([mu.unsqueeze(0), posterior_samples(mu, std, n_samples, seed=seed + 1)])
    images = decode_images(model, z)
    return DigitReport(
        x=x[0],
        mu=mu,
        std=std,
        kl_per_dim=t.kl_per_dim[0],
        elbo=t.elbo.item(),
        log_likelihood=t.log_likelihood.item(),
        kl=t.kl.item(),
        reconstruction=images[0],
        samples=images[1:],
    )


def active_dims(kl_per_dim: torch.Tensor, threshold: float = 0.01) -> torch.Tensor:
    """Indices sorted by KL, largest first, and a mask of which carry information."""
    order = torch.argsort(kl_per_dim, descending=True)
    return order, kl_per_dim[order] > threshold
