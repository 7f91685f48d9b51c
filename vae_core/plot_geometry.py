"""Where codes land in the pictures the views draw: axis ticks and cell centres of a tiled manifold, and the
few click targets of the latent map. Picture coordinates are pixels, pixel p covering [p - 0.5, p + 0.5]."""

from __future__ import annotations

import numpy as np
import torch


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


def cell_representatives(
    points: torch.Tensor, x_range: tuple[float, float], y_range: tuple[float, float], cells: int
) -> torch.Tensor:
    """Indices of one point per occupied cell of a cells x cells grid over the given ranges: the point nearest
    its cell's centre. Points outside the ranges are left out.

    A click target per cell instead of per point: the latent map's picker picks among these few invisible
    targets, and any click lands within a cell of a real point. views/live/scatter.js picks the same ones in the
    browser (tests/test_live_js.py checks that they agree)."""
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


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` (up to twice as many) round values, steps of 1, 2 or 5 times a power of ten, within
    [low, high]: the ticks of a plot's axis over that range."""
    raw = (high - low) / max(1, count - 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= 0.5 * raw)  # about `count` to 2 `count`
    first = np.ceil(low / step) * step
    return [round(float(v), 10) for v in np.arange(first, high + step * 1e-9, step)]
