"""What the model says about one digit: its posterior, ELBO terms and reconstructions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .elbo import elbo_terms
from .latent import interpolate, pixel_crossfade, posterior_samples
from .model import VAE
from .render import decode_images, to_uint8


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
    eps: torch.Tensor | None = None  # (D,) the noise of the one-sample estimate of log_likelihood
    z: torch.Tensor | None = None  # (D,) mu + std * eps: the code log_likelihood was evaluated at


@torch.inference_mode()
def reconstruction_noise(latent_dim: int, n_samples: int, seed: int = 0) -> torch.Tensor:
    """eps (n_samples, D) of describe_digit's stochastic reconstructions: its own noise stream, apart from the
    ELBO's sample. A different n_samples draws different noise, not more of the same."""
    return posterior_samples(torch.zeros(latent_dim), torch.ones(latent_dim), n_samples, seed=seed + 1)


@torch.inference_mode()
def reconstruction_spread(std: torch.Tensor, n_samples: int, seed: int = 0) -> torch.Tensor:
    """sigma * eps (n_samples, D) of describe_digit's stochastic reconstructions, z_i = mu + spread_i."""
    return std.reshape(1, -1) * reconstruction_noise(std.numel(), n_samples, seed)


def describe_digit(model: VAE, x: torch.Tensor | np.ndarray, n_samples: int = 4, seed: int = 0) -> DigitReport:
    """Encode x (grey levels in [0, 1], treated as Bernoulli means) and report its ELBO terms.

    The ELBO uses one reparameterized sample with noise from `seed`, like training does, so
    the figure is reproducible; the KL is exact.
    """
    x = torch.as_tensor(x).reshape(1, -1).float()
    eps = torch.randn((1, model.config.latent_dim), generator=torch.Generator().manual_seed(seed))
    t = elbo_terms(model, x, eps)
    mu, std = t.mu[0], t.std[0]
    z = torch.cat([mu.unsqueeze(0), mu + reconstruction_spread(std, n_samples, seed)])
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
        eps=eps[0],
        z=model.reparameterize(t.mu, t.logvar, eps)[0],
    )


# Active for this digit: the dimension's KL(q(z_i|x) || p(z_i)) in nats exceeds this; below it the dimension carries
# (almost) nothing about the digit. Per digit, unlike evaluate.ACTIVE_MU_VARIANCE, which is over the test set.
@torch.inference_mode()
def elbo_of_each(model: VAE, x: torch.Tensor | np.ndarray, seed: int = 0, batch: int = 2000) -> torch.Tensor:
    """The ELBO (N,) of each row of x (N, 784) exactly as `describe_digit(model, x[i], seed=seed)` reports it:
    the same noise vector for every digit, so a digit's figure is comparable with the whole set's."""
    x = torch.as_tensor(x).reshape(-1, model.config.input_dim).float()
    eps = torch.randn((1, model.config.latent_dim), generator=torch.Generator().manual_seed(seed))
    return torch.cat([elbo_terms(model, xb, eps).elbo for xb in x.split(batch)])


@dataclass(frozen=True)
class ElboSpread:
    """How the ELBO spreads over a set of digits, to say what a good value is."""

    elbos: np.ndarray  # (N,) sorted ascending
    class_means: dict[int, float]  # label -> mean ELBO of the digits with that label (empty without labels)

    @property
    def mean(self) -> float:
        return float(self.elbos.mean())

    def quantile(self, q: float) -> float:
        return float(np.quantile(self.elbos, q))

    def share_below(self, elbo: float) -> float:
        """The fraction of the set whose ELBO is lower (worse) than `elbo`."""
        return float(np.searchsorted(self.elbos, elbo)) / len(self.elbos)


def elbo_spread(elbos: torch.Tensor | np.ndarray, labels: np.ndarray | None = None) -> ElboSpread:
    """The spread of `elbos`, and with `labels` (same order) the mean of each class."""
    elbos = np.asarray(elbos, dtype=np.float64)
    classes = {} if labels is None else {int(c): float(elbos[labels == c].mean()) for c in np.unique(labels)}
    return ElboSpread(np.sort(elbos), classes)


ACTIVE_KL_NATS = 0.01


def active_dims(kl_per_dim: torch.Tensor, threshold: float = ACTIVE_KL_NATS) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices sorted by KL, largest first, and a mask of which carry information."""
    order = torch.argsort(kl_per_dim, descending=True)
    return order, kl_per_dim[order] > threshold


def top_kl_dims(kl_per_dim: torch.Tensor, k: int = 2) -> list[int]:
    """The k latent dimensions carrying the most KL (information about the digit), largest first."""
    return active_dims(kl_per_dim)[0][:k].tolist()


@dataclass
class InterpolationStrip:
    """A walk from code a to code b, decoded, beside the pixel-space blend of its two end pictures."""

    codes: torch.Tensor  # (steps, D), codes[0] = a, codes[-1] = b
    frames: np.ndarray  # (steps, 28, 28) uint8, the decoded codes
    crossfade: np.ndarray  # (steps, 28, 28) uint8, (1 - t) * frames[0] + t * frames[-1] pixel by pixel


def interpolation_strip(
    model: VAE, a: torch.Tensor, b: torch.Tensor, steps: int, method: str = "linear"
) -> InterpolationStrip:
    """Interpolate between two codes ('linear' or 'slerp'), decode all steps in one batch, and
    cross-fade the decoded end pictures in pixel space for comparison."""
    codes = interpolate(a, b, steps, method)
    frames = decode_images(model, codes)
    ends = torch.from_numpy(frames[[0, -1]]).float() / 255.0
    return InterpolationStrip(codes, frames, to_uint8(pixel_crossfade(ends[0], ends[1], steps)))


@torch.inference_mode()
def reconstruct_batch(model: VAE, x: torch.Tensor | np.ndarray) -> np.ndarray:
    """Decoder means at z = mu for a batch of inputs (N, 784) in [0, 1] -> uint8 (N, 28, 28)."""
    x = torch.as_tensor(x).reshape(-1, model.config.input_dim).float()
    return decode_images(model, model.encode(x).mu)


def parameter_count(model: VAE) -> int:
    """The number of weights and biases in the model, encoder and decoder together."""
    return sum(p.numel() for p in model.parameters())


@torch.inference_mode()
def encode_mean(model: VAE, x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """The posterior mean mu (D,) of one image x (784,) in [0, 1]."""
    return model.encode(torch.as_tensor(x).reshape(1, -1).float()).mu[0]
