"""The MLP variational autoencoder of Kingma & Welling (2014), appendix C."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

ACTIVATIONS = {"gelu": nn.GELU, "relu": nn.ReLU, "tanh": nn.Tanh, "softplus": nn.Softplus}
IMAGE_SIDE = 28
IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE


@dataclass(frozen=True)
class VAEConfig:
    """Everything needed to rebuild the network; saved in each model's card."""

    latent_dim: int = 20
    hidden: tuple[int, ...] = (512, 512)
    activation: str = "gelu"
    input_dim: int = IMAGE_PIXELS

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        if self.latent_dim < 1 or not self.hidden or min(self.hidden) < 1:
            raise ValueError(f"invalid VAEConfig sizes: {self}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {self.activation!r}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> VAEConfig:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        return cls(**d)


def _mlp(sizes: list[int], activation: str) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def std_from_logvar(logvar: torch.Tensor) -> torch.Tensor:
    """sigma = exp(log sigma^2 / 2): the one place a log-variance becomes a standard deviation."""
    return torch.exp(0.5 * logvar)


def _full_precision(t: torch.Tensor) -> torch.Tensor:
    """Autocast's bf16/fp16 layer outputs back to fp32: the ELBO's sums over 784 pixels need it."""
    return t.float() if t.dtype in (torch.bfloat16, torch.float16) else t


@dataclass
class Posterior:
    """q(z|x) = N(mu, diag(exp(logvar)))."""

    mu: torch.Tensor
    logvar: torch.Tensor
    std: torch.Tensor = field(init=False)

    def __post_init__(self) -> None:
        self.std = std_from_logvar(self.logvar)


class VAE(nn.Module):
    """Encoder x -> (mu, log sigma^2); decoder z -> Bernoulli logits over 784 pixels.

    With `point_code` (a plain autoencoder, trained on log p(x|mu) alone) the code is the point mu: encode gives
    sigma = 0 (log sigma^2 = -inf), the encoder's untrained variance output is ignored, and so the KL to the prior
    is infinite and the ELBO -infinite, which is what they are for a point code."""

    def __init__(self, config: VAEConfig, point_code: bool = False) -> None:
        super().__init__()
        self.config = config
        self.point_code = point_code
        h = list(config.hidden)
        self.encoder = _mlp([config.input_dim, *h, 2 * config.latent_dim], config.activation)
        self.decoder = _mlp([config.latent_dim, *reversed(h), config.input_dim], config.activation)

    def encode(self, x: torch.Tensor) -> Posterior:
        mu, logvar = _full_precision(self.encoder(x.reshape(x.shape[0], -1))).chunk(2, dim=-1)
        if self.point_code:
            logvar = torch.full_like(logvar, -torch.inf)
        return Posterior(mu, logvar)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return _full_precision(self.decoder(z))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Bernoulli means (pixel probabilities) in [0, 1], shape (..., 784)."""
        return torch.sigmoid(self.decoder(z))

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor | None = None) -> torch.Tensor:
        """z = mu + sigma * eps with eps ~ N(0, I): the sample stays differentiable in mu and sigma."""
        if eps is None:
            eps = torch.randn_like(mu)
        return mu + std_from_logvar(logvar) * eps

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, Posterior]:
        q = self.encode(x)
        z = self.reparameterize(q.mu, q.logvar)
        return self.decode_logits(z), q
