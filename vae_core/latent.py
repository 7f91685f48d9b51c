"""Walking the latent space: the codes behind every view (no pixels here, see render.py)."""

from __future__ import annotations

import math

import numpy as np
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
    return (x - mean) @ components.T


def ellipse(center: torch.Tensor, cov: torch.Tensor, points: int = 60) -> torch.Tensor:
    """The 1-sigma contour of a 2-D Gaussian with covariance `cov` (2, 2), as (points, 2)."""
    evals, evecs = torch.linalg.eigh(cov.double())
    t = torch.linspace(0, 2 * math.pi, points, dtype=torch.float64)
    circle = torch.stack([torch.cos(t), torch.sin(t)], 1)
    return (center.double() + circle * evals.clamp(min=0).sqrt() @ evecs.T).float()


def projected_cov(std: torch.Tensor, components: torch.Tensor | None) -> torch.Tensor:
    """Covariance in the plotted plane of q(z|x) = N(mu, diag(std^2)): the first two dims
    when `components` is None, else the PCA projection C diag(std^2) C^T."""
    var = std.reshape(-1).double() ** 2
    if components is None:
        return torch.diag(var[:2])
    c = components.double()
    return (c * var) @ c.T


def axis_ticks(
    axis: torch.Tensor, cell_px: int, count: int = 5, descending: bool = False
) -> tuple[list[float], list[str]]:
    """A few ticks for a picture that tiles one `cell_px`-wide cell per axis value (image_grid, padding=0):
    positions are cell centres in picture pixels (pixel p covers [p - 0.5, p + 0.5]), labels the z values.
    `descending` is for the vertical axis of manifold_grid, whose top row holds the largest value.
    The count is lowered by one where needed to match n's parity, so the ticks sit symmetrically."""
    n = axis.numel()
    count = min(count, n)
    if count % 2 != n % 2:
        count = max(2, count - 1)
    cells = torch.linspace(0, n - 1, count).round().long().unique().tolist()
    values = axis.flip(0) if descending else axis
    return [i * cell_px + (cell_px - 1) / 2 for i in cells], [f"{values[i].item():.2f}" for i in cells]


def cell_centres(n: int, cell_px: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Picture coordinates (x, y), each (n * n,), of the cell centres of an n x n tiling, in
    manifold_grid's row-major order: cell i of the picture shows code i of the grid."""
    c = torch.arange(n, dtype=torch.float32) * cell_px + (cell_px - 1) / 2
    ys, xs = torch.meshgrid(c, c, indexing="ij")
    return xs.reshape(-1), ys.reshape(-1)


def axis_position(value: float, axis: torch.Tensor, cell_px: int, descending: bool = False) -> float | None:
    """Where z = `value` lies along a tiled picture's axis, in picture pixels, interpolating linearly
    between the cell centres (the axis may be unevenly spaced); None outside the grid's range."""
    if not axis[0].item() <= value <= axis[-1].item():
        return None
    n = axis.numel()
    centres = torch.arange(n, dtype=torch.float64) * cell_px + (cell_px - 1) / 2
    pos = float(np.interp(value, axis.double().numpy(), centres.numpy()))
    return (n * cell_px - 1) - pos if descending else pos


def group_by_label(labels: torch.Tensor, num_classes: int = 10) -> list[torch.Tensor]:
    """For each class 0 .. num_classes - 1, the indices of the examples with that label."""
    labels = labels.reshape(-1).long()
    return [torch.nonzero(labels == c).reshape(-1) for c in range(num_classes)]


def cell_representatives(
    points: torch.Tensor, x_range: tuple[float, float], y_range: tuple[float, float], cells: int
) -> torch.Tensor:
    """Indices of one point per occupied cell of a cells x cells grid over the given ranges: the point nearest
    its cell's centre. Points outside the ranges are left out.

    A click target per cell instead of per point: a picture of all the points plus these few invisible
    targets is what the latent map's browser draws, and any click lands within a cell of a real point."""
    xy = points[:, :2].double()
    lo = torch.tensor([x_range[0], y_range[0]], dtype=torch.float64)
    span = torch.tensor([x_range[1] - x_range[0], y_range[1] - y_range[0]], dtype=torch.float64)
    scaled = (xy - lo) / span * cells
    inside = ((scaled >= 0) & (scaled < cells)).all(1)
    index = torch.nonzero(inside).reshape(-1)
    cell = scaled[inside].floor()
    offset = (scaled[inside] - cell - 0.5).square().sum(1)  # squared distance to the cell's centre
    key = (cell[:, 0] * cells + cell[:, 1]).long()
    # sort by distance, then stably by cell: each cell's nearest point comes first in its run
    by_distance = torch.argsort(offset, stable=True)
    order = by_distance[torch.argsort(key[by_distance], stable=True)]
    sorted_keys = key[order]
    first = torch.ones_like(sorted_keys, dtype=torch.bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return index[order[first]].sort().values


CODE_LIMIT = 10.0  # |z| beyond this is nowhere near the prior N(0, I): refuse it rather than decode nonsense


def parse_code(text: str, latent_dim: int) -> torch.Tensor:
    """A latent code from comma-separated numbers (as in a shared link's `z=`); raises ValueError saying why
    when it is not exactly `latent_dim` finite numbers within [-CODE_LIMIT, CODE_LIMIT]."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != latent_dim:
        raise ValueError(f"expected {latent_dim} numbers, got {len(parts)}")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError("not all entries are numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError("not all entries are finite")
    if any(abs(v) > CODE_LIMIT for v in values):
        raise ValueError(f"entries must lie within [-{CODE_LIMIT:g}, {CODE_LIMIT:g}]")
    return torch.tensor(values, dtype=torch.float32)


def format_code(z: torch.Tensor, decimals: int = 4) -> str:
    """A code as comma-separated numbers rounded to `decimals` (parse_code reads it back)."""
    texts = (f"{v:.{decimals}f}".rstrip("0").rstrip(".") for v in z.reshape(-1).tolist())
    return ",".join("0" if t in ("", "-0") else t for t in texts)
