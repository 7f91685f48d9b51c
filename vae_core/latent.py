"""Walking the latent space: the codes behind every view (no pixels here: see render.py for pictures,
plot_geometry.py for where codes land in them, code_text.py for codes written as text)."""

from __future__ import annotations

import math

import torch


def _generator(seed: int | None) -> torch.Generator | None:
    return None if seed is None else torch.Generator().manual_seed(int(seed))


def prior_samples(n: int, latent_dim: int, temperature: float = 1.0, seed: int | None = None) -> torch.Tensor:
    """n codes from N(0, temperature^2 I)."""
    return temperature * torch.randn((n, latent_dim), generator=_generator(seed))


def posterior_samples(
    mu: torch.Tensor, std: torch.Tensor, n: int, scale: float = 1.0, seed: int | None = None
) -> torch.Tensor:
    """n codes z = mu + scale * sigma * eps; scale = 0 gives mu n times."""
    eps = torch.randn((n, mu.shape[-1]), generator=_generator(seed))
    return mu.reshape(1, -1) + scale * std.reshape(1, -1) * eps


def interpolate(a: torch.Tensor, b: torch.Tensor, steps: int, method: str = "linear") -> torch.Tensor:
    """`steps` codes from a to b inclusive; 'slerp' follows the great circle (White 2016)."""
    a, b = a.reshape(-1).float(), b.reshape(-1).float()
    t = torch.linspace(0.0, 1.0, steps).unsqueeze(1)
    if method == "linear":
        return (1 - t) * a + t * b
    if method != "slerp":
        raise ValueError(f"method must be 'linear' or 'slerp', got {method!r}")
    na, nb = a.norm(), b.norm()
    if na < 1e-8 or nb < 1e-8:
        return (1 - t) * a + t * b
    omega = torch.arccos(torch.clamp(torch.dot(a / na, b / nb), -1.0, 1.0))
    if omega.abs() < 1e-4:
        return (1 - t) * a + t * b
    so = torch.sin(omega)
    return (torch.sin((1 - t) * omega) / so) * a + (torch.sin(t * omega) / so) * b


def grid_axis(n: int, eps: float = 0.05, spacing: str = "gaussian", z_max: float = 3.0) -> torch.Tensor:
    """n coordinates along one axis, ascending.

    'gaussian' is Kingma & Welling's Fig. 4: a uniform grid on [eps, 1 - eps] pushed through
    the inverse Gaussian CDF, so cells have equal prior mass. 'linear' spans [-z_max, z_max].
    """
    if spacing == "gaussian":
        if not 0.0 < eps < 0.5:
            raise ValueError("eps must lie in (0, 0.5)")
        u = torch.linspace(eps, 1 - eps, n, dtype=torch.float64)
        return (math.sqrt(2.0) * torch.erfinv(2 * u - 1)).float()
    if spacing == "linear":
        return torch.linspace(-z_max, z_max, n)
    raise ValueError(f"spacing must be 'gaussian' or 'linear', got {spacing!r}")


def manifold_grid(
    axis: torch.Tensor, base: torch.Tensor | None = None, dims: tuple[int, int] = (0, 1), latent_dim: int = 2
) -> torch.Tensor:
    """Codes for an n x n grid over two dimensions, row-major with the top row at the largest
    second-dimension value (so the picture has the usual 'y up' orientation); the other
    dimensions stay at `base` (default: the prior mean)."""
    n = axis.numel()
    base = torch.zeros(latent_dim) if base is None else base.reshape(-1).float()
    ys, xs = torch.meshgrid(axis.flip(0), axis, indexing="ij")
    codes = base.repeat(n * n, 1)
    codes[:, dims[0]] = xs.reshape(-1)
    codes[:, dims[1]] = ys.reshape(-1)
    return codes


def traversal(mu: torch.Tensor, unit: torch.Tensor, dims: list[int], offsets: torch.Tensor) -> torch.Tensor:
    """For each dim in `dims`, mu moved along it by each offset (in units of `unit`).
    Returns (len(dims) * len(offsets), D), one row of the table per dim."""
    mu = mu.reshape(-1).float()
    codes = mu.repeat(len(dims) * len(offsets), 1)
    for r, d in enumerate(dims):
        codes[r * len(offsets) : (r + 1) * len(offsets), d] += offsets * unit.reshape(-1)[d]
    return codes


def shift(mu: torch.Tensor, unit: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """mu + offsets * unit, elementwise: the mean-perturbation sliders applied at once."""
    return (mu.reshape(-1) + offsets.reshape(-1) * unit.reshape(-1)).unsqueeze(0)


def pixel_crossfade(a: torch.Tensor, b: torch.Tensor, steps: int) -> torch.Tensor:
    """Blend two images in pixel space (what latent interpolation improves upon)."""
    t = torch.linspace(0.0, 1.0, steps).reshape(-1, *([1] * a.dim()))
    return (1 - t) * a.unsqueeze(0) + t * b.unsqueeze(0)


def pca_2d(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean, components (2, D)) of the first two principal axes; signs fixed for stability."""
    mean = x.mean(0)
    _, _, v = torch.linalg.svd(x - mean, full_matrices=False)
    comps = v[:2]
    signs = torch.sign(comps[torch.arange(2), comps.abs().argmax(1)])
    return mean, comps * signs.unsqueeze(1)


def project(x: torch.Tensor, mean: torch.Tensor, components: torch.Tensor) -> torch.Tensor:
    """Coordinates (N, 2) of x (N, D) along the principal axes from pca_2d."""
    return (x - mean) @ components.T


def ellipse(center: torch.Tensor, cov: torch.Tensor, points: int = 60) -> torch.Tensor:
    """The 1-sigma contour of a 2-D Gaussian with covariance `cov` (2, 2), as (points, 2)."""
    evals, evecs = torch.linalg.eigh(cov.double())
    t = torch.linspace(0, 2 * math.pi, points, dtype=torch.float64)
    circle = torch.stack([torch.cos(t), torch.sin(t)], 1)
    return (center.double() + circle * evals.clamp(min=0).sqrt() @ evecs.T).float()


def projected_cov(std: torch.Tensor, components: torch.Tensor | None) -> torch.Tensor:
    """Covariance in the plotted plane of q(z|x) = N(mu, diag(std^2)): the first two dims
    when `components` is None, else the PCA projection C diag(std^2) C^T. `std` (D,) gives (2, 2); (N, D) gives
    one per row, (N, 2, 2)."""
    var = std.double() ** 2
    if components is None:
        return torch.diag_embed(var[..., :2])
    c = components.double()
    return (c * var.unsqueeze(-2)) @ c.T


def group_by_label(labels: torch.Tensor, num_classes: int = 10) -> list[torch.Tensor]:
    """For each class 0 .. num_classes - 1, the indices of the examples with that label."""
    labels = labels.reshape(-1).long()
    return [torch.nonzero(labels == c).reshape(-1) for c in range(num_classes)]
