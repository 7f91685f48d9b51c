"""The small latent-space helpers behind the Interpolate, Manifold and Latent map views."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vae_core.analysis import interpolation_strip, top_kl_dims
from vae_core.latent import (
    axis_position,
    axis_ticks,
    cell_centres,
    grid_axis,
    group_by_label,
    manifold_grid,
)
from vae_core.model import VAE, VAEConfig
from vae_core.render import decode_images, image_grid

CELL = 28


@pytest.fixture(scope="module")
def tiny_vae() -> VAE:
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=3, hidden=(32,)))
    model.eval()
    return model


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


def test_group_by_label_partitions_the_examples_by_class():
    labels = torch.tensor([3, 1, 3, 0, 9, 1], dtype=torch.uint8)
    groups = group_by_label(labels)
    assert len(groups) == 10
    assert groups[3].tolist() == [0, 2] and groups[1].tolist() == [1, 5] and groups[2].tolist() == []
    assert sorted(torch.cat(groups).tolist()) == list(range(len(labels)))


def test_top_kl_dims_are_the_largest_first():
    assert top_kl_dims(torch.tensor([0.1, 3.0, 0.0, 2.0, 2.5])) == [1, 4]
    assert top_kl_dims(torch.tensor([0.1, 3.0, 0.0]), k=3) == [1, 0, 2]


@pytest.mark.parametrize("method", ["linear", "slerp"])
def test_interpolation_strip_starts_and_ends_at_the_decoded_endpoints(tiny_vae, method):
    a, b = torch.tensor([1.0, -0.5, 0.2]), torch.tensor([-0.3, 1.2, 0.8])
    strip = interpolation_strip(tiny_vae, a, b, steps=7, method=method)
    assert strip.codes.shape == (7, 3) and strip.frames.shape == strip.crossfade.shape == (7, 28, 28)
    assert torch.allclose(strip.codes[0], a, atol=1e-6) and torch.allclose(strip.codes[-1], b, atol=1e-6)
    # one batched decode may differ from a single-code decode in the last float bit: at most one grey level
    for frame, code in ((strip.frames[0], a), (strip.frames[-1], b)):
        assert np.abs(frame.astype(int) - decode_images(tiny_vae, code)[0].astype(int)).max() <= 1


def test_interpolation_strip_crossfade_blends_the_end_frames_pixel_by_pixel(tiny_vae):
    strip = interpolation_strip(tiny_vae, torch.zeros(3), torch.ones(3) * 2, steps=3)
    assert np.array_equal(strip.crossfade[0], strip.frames[0])
    assert np.array_equal(strip.crossfade[-1], strip.frames[-1])
    middle = (strip.frames[0].astype(float) + strip.frames[-1].astype(float)) / 2
    assert np.abs(strip.crossfade[1] - middle).max() <= 1
