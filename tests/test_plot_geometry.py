"""Where codes land in the views' pictures: manifold axis ticks and cell centres, the latent map's click targets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vae_core.latent import grid_axis, manifold_grid
from vae_core.plot_geometry import axis_position, axis_ticks, cell_centres, cell_representatives, nice_ticks
from vae_core.render import image_grid

CELL = 28


def test_axis_ticks_sit_on_cell_centres_and_name_their_z_values():
    axis = grid_axis(7, spacing="linear", z_max=3.0)  # -3, -2, ..., 3
    positions, labels = axis_ticks(axis, CELL, count=3)
    assert positions == [13.5, 3 * CELL + 13.5, 6 * CELL + 13.5]
    assert labels == ["-3.00", "0.00", "3.00"]


def test_axis_ticks_descending_put_the_largest_value_at_the_top():
    axis = grid_axis(7, spacing="linear", z_max=3.0)
    positions, labels = axis_ticks(axis, CELL, count=3, descending=True)
    assert positions[0] == 13.5 and labels[0] == "3.00" and labels[-1] == "-3.00"


@pytest.mark.parametrize("n", range(5, 31))
def test_axis_ticks_are_symmetric_about_the_centre(n):
    positions, _ = axis_ticks(grid_axis(n), CELL, count=5)
    assert positions == [n * CELL - 1 - p for p in reversed(positions)]
    assert 4 <= len(positions) <= 5


def test_axis_ticks_never_exceed_the_number_of_cells():
    positions, labels = axis_ticks(grid_axis(2), CELL, count=5)
    assert len(positions) == len(labels) == 2


def test_cell_centres_address_the_cells_of_an_unpadded_image_grid_in_manifold_order():
    n = 4
    images = np.stack([np.full((CELL, CELL), 10 * i, dtype=np.uint8) for i in range(n * n)])  # image i is grey 10 i
    picture = image_grid(images, nrow=n, padding=0)
    xs, ys = cell_centres(n, CELL)
    assert len(xs) == len(ys) == n * n
    for i, (x, y) in enumerate(zip(xs.tolist(), ys.tolist())):
        assert picture[int(y), int(x)] == 10 * i


def test_cell_centres_match_the_codes_of_manifold_grid():
    """Cell i shows code i: its column is the i-th x value, its row the flipped y value (top = largest)."""
    n = 5
    axis = grid_axis(n, spacing="linear", z_max=2.0)
    codes = manifold_grid(axis)
    xs, ys = cell_centres(n, CELL)
    for i in range(n * n):
        col, row = int(xs[i]) // CELL, int(ys[i]) // CELL
        assert codes[i, 0] == axis[col]
        assert codes[i, 1] == axis.flip(0)[row]


def test_axis_position_of_an_axis_value_is_its_cell_centre():
    axis = grid_axis(9, eps=0.05)
    for j in range(9):
        assert axis_position(axis[j].item(), axis, CELL) == pytest.approx(j * CELL + 13.5)
        assert axis_position(axis[j].item(), axis, CELL, descending=True) == pytest.approx((8 - j) * CELL + 13.5)


def test_axis_position_interpolates_between_cells_and_is_none_off_the_grid():
    axis = grid_axis(5, spacing="linear", z_max=2.0)  # -2, -1, 0, 1, 2
    assert axis_position(0.5, axis, CELL) == pytest.approx(2.5 * CELL + 13.5)
    assert axis_position(2.01, axis, CELL) is None
    assert axis_position(-2.01, axis, CELL) is None


def test_cell_representatives_keeps_the_point_nearest_each_occupied_cells_centre() -> None:
    points = torch.rand(2000, 2, generator=torch.Generator().manual_seed(0)) * 6 - 3  # some fall outside the range
    chosen = cell_representatives(points, (-2.0, 2.0), (-1.0, 3.0), cells=8)
    cell = ((points - torch.tensor([-2.0, -1.0])) / 4 * 8).floor()
    inside = ((cell >= 0) & (cell < 8)).all(1)
    occupied = {tuple(c) for c in cell[inside].long().tolist()}
    assert len(chosen) == len(occupied)  # one per occupied cell
    for i in chosen.tolist():
        assert inside[i]
        same_cell = torch.nonzero(inside & (cell == cell[i]).all(1)).reshape(-1)
        centre = (cell[i] + 0.5) / 8 * 4 + torch.tensor([-2.0, -1.0])
        distances = (points[same_cell] - centre).square().sum(1)
        assert (points[i] - centre).square().sum() <= distances.min() + 1e-9


def test_cell_representatives_of_no_points_is_empty() -> None:
    assert cell_representatives(torch.zeros(0, 2), (0.0, 1.0), (0.0, 1.0), cells=4).numel() == 0


@pytest.mark.parametrize(("low", "high", "expected"), [
    (-2.3, 2.4, [-2.0, -1.0, 0.0, 1.0, 2.0]),
    (-1.81, 1.81, [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]),
    (0.0, 100.0, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]),
    (-0.03, 0.05, [-0.03, -0.02, -0.01, 0.0, 0.01, 0.02, 0.03, 0.04, 0.05]),
])
def test_nice_ticks_are_round_values_inside_the_range(low, high, expected) -> None:
    assert nice_ticks(low, high) == expected


def test_nice_ticks_number_about_the_count_asked_for() -> None:
    for span in np.geomspace(0.01, 1000, 37):
        ticks = nice_ticks(-0.3 * span, 0.7 * span)
        assert 3 <= len(ticks) <= 10 and -0.3 * span <= ticks[0] and ticks[-1] <= 0.7 * span
        steps = np.diff(ticks)
        assert np.allclose(steps, steps[0])
