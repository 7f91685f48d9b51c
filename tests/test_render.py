"""render.py: tiling decoded digits into one picture and encoding pictures as PNG and GIF."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.utils import make_grid

from vae_core.render import (
    CLASS_COLOURS,
    CLASS_RGB,
    class_scatter,
    image_grid,
    outline_cell,
    scatter_picture,
    to_gif,
    to_png,
    to_png_colour,
    upscale,
)


def random_images(n: int, h: int = 28, w: int = 28, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, h, w), dtype=np.uint8)


@pytest.mark.parametrize(
    ("n", "nrow", "padding"),
    [(1, 8, 2), (2, 8, 2), (5, 2, 2), (7, 3, 0), (64, 8, 2), (140, 7, 2), (900, 30, 0), (10, 4, 3), (3, 1, 1)],
)
def test_image_grid_lays_out_images_exactly_like_torchvision_make_grid(n: int, nrow: int, padding: int):
    images = random_images(n, seed=n)
    expected = make_grid(torch.from_numpy(images).unsqueeze(1), nrow=nrow, padding=padding, pad_value=64)[0].numpy()
    grid = image_grid(images, nrow=nrow, padding=padding, pad_value=64)
    assert grid.dtype == np.uint8
    np.testing.assert_array_equal(grid, expected)


def test_image_grid_fills_the_empty_cells_of_the_last_row_with_the_pad_value():
    grid = image_grid(np.full((5, 2, 2), 255, dtype=np.uint8), nrow=3, padding=1, pad_value=7)
    assert grid.shape == (2 * 3 + 1, 3 * 3 + 1)
    assert (grid[4:6, 7:9] == 7).all()  # row 2, column 3: no image there
    assert (grid[4:6, 4:6] == 255).all()  # row 2, column 2: the fifth image


def test_outline_cell_frames_the_chosen_cell_inside_its_edge_and_nothing_else():
    images = random_images(9, seed=3)
    grid = image_grid(images, nrow=3)
    marked = outline_cell(grid, 5, nrow=3)  # row 2, column 3
    top, left = 2 + 1 * 30, 2 + 2 * 30
    ring = np.zeros(grid.shape, bool)
    ring[top: top + 28, left: left + 28] = True
    ring[top + 2: top + 26, left + 2: left + 26] = False  # the cell's inside is left as it is
    assert (marked[ring] == 255).all()
    np.testing.assert_array_equal(marked[~ring], grid[~ring])


@pytest.mark.parametrize("index", [-1, 9, 12])
def test_outline_cell_leaves_the_grid_as_it_is_for_a_cell_not_on_it(index: int):
    grid = image_grid(random_images(9, seed=4), nrow=3)
    np.testing.assert_array_equal(outline_cell(grid, index, nrow=3), grid)


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (30, 40), (840, 840)])
def test_to_png_is_a_lossless_greyscale_png(shape: tuple[int, int]):
    picture = random_images(1, *shape)[0]
    picture[: shape[0] // 2] = 0  # long runs of black, as in decoded digits
    decoded = Image.open(io.BytesIO(to_png(picture)))
    assert decoded.format == "PNG" and decoded.mode == "L"
    np.testing.assert_array_equal(np.asarray(decoded), picture)


def test_to_png_enlarges_by_whole_pixels():
    picture = random_images(1, 30, 40)[0]
    big = np.asarray(Image.open(io.BytesIO(to_png(picture, scale=3))))
    np.testing.assert_array_equal(big, upscale(picture, 3))
    assert big.shape == (90, 120)


@pytest.mark.parametrize("bad", [np.zeros((4, 4), dtype=np.float32), np.zeros((4, 4, 3), dtype=np.uint8)])
def test_to_png_refuses_anything_but_a_uint8_greyscale_picture(bad: np.ndarray):
    with pytest.raises(ValueError, match="uint8"):
        to_png(bad)


def test_to_gif_plays_the_frames_forward_then_back():
    frames = np.stack([np.full((4, 4), v, dtype=np.uint8) for v in (0, 100, 200)])
    gif = Image.open(io.BytesIO(to_gif(frames, scale=2, bounce=True)))
    assert gif.n_frames == 4  # 0, 100, 200, then 100 on the way back
    seen = []
    for i in range(gif.n_frames):
        gif.seek(i)
        seen.append(int(np.asarray(gif.convert("L"))[0, 0]))
    assert seen == [0, 100, 200, 100]


def test_scatter_picture_puts_each_point_where_its_axes_say_in_its_colour():
    points = np.array([[0.0, 0.0], [1.5, 1.5], [-0.75, 0.75], [9.0, 9.0]])  # the last is out of range
    colours = np.array([[255, 0, 0], [0, 0, 255], [0, 160, 0], [0, 0, 0]], dtype=np.uint8)
    picture = scatter_picture(points, colours, (-1.5, 1.5), (-1.5, 1.5), size_px=60, radius_px=2, opacity=1.0)
    assert picture.shape == (60, 60, 3) and picture.dtype == np.uint8
    assert picture[30, 30].tolist() == [255, 0, 0]  # the centre
    assert picture[1, 58].tolist() == [0, 0, 255]  # top right: y grows upwards
    assert picture[15, 15].tolist() == [0, 160, 0]
    assert picture[picture.sum(2) == 0].size == 0  # the black point lies outside and is not drawn


def test_scatter_picture_blends_translucent_dots_with_the_white_paper():
    picture = scatter_picture(np.zeros((1, 2)), np.array([[0, 0, 0]], dtype=np.uint8), (-1, 1), (-1, 1), 20, 3, 0.5)
    assert 120 <= picture[10, 10, 0] <= 135  # half black on white


def test_scatter_picture_can_draw_each_point_as_its_own_glyph_in_its_colour():
    points = np.array([[-0.5, 0.0], [0.5, 0.0]])
    colours = np.array([[255, 0, 0], [0, 0, 255]], dtype=np.uint8)
    picture = scatter_picture(points, colours, (-1, 1), (-1, 1), 120, radius_px=4, opacity=1.0, glyphs=["1", "8"])
    red = (picture[..., 0] > 200) & (picture[..., 2] < 60)
    blue = (picture[..., 2] > 200) & (picture[..., 0] < 60)
    assert red[:, :60].any() and not red[:, 60:].any()  # the "1" at x = -0.5, in red
    assert blue[:, 60:].any() and not blue[:, :60].any()  # the "8" at x = +0.5, in blue
    assert blue.sum() > 1.5 * red.sum()  # glyphs, not discs: an 8 has far more ink than a 1
    rows = np.nonzero(red.any(1))[0]
    assert rows.max() - rows.min() > 8  # a digit of about 6 * radius, not a dot of 2 * radius


def test_to_png_colour_keeps_the_picture_within_a_palette_of_colours():
    rng = np.random.default_rng(0)
    palette = rng.integers(0, 256, size=(8, 3), dtype=np.uint8)
    picture = palette[rng.integers(0, 8, size=(40, 50))]
    decoded = Image.open(io.BytesIO(to_png_colour(picture)))
    assert decoded.mode == "P" and decoded.size == (50, 40)
    assert np.array_equal(np.asarray(decoded.convert("RGB")), picture)  # 8 colours fit the palette exactly


def test_scatter_picture_marks_every_whole_unit_with_a_grey_line_and_zero_darker():
    picture = scatter_picture(np.zeros((0, 2)), np.zeros((0, 3), np.uint8), (-2, 2), (-2, 2), 80, grid_step=1.0)
    row = picture[50, :, 0]  # between horizontal lines, across the vertical ones (z = 2 lies past px 79)
    assert np.nonzero(row < 255)[0].tolist() == [0, 20, 40, 60]
    assert picture[50, 40, 0] < picture[50, 20, 0] < 255  # z = 0 darker than z = -1
    assert picture[40, 50, 0] < picture[20, 50, 0] < 255  # the same across


def test_class_scatter_draws_each_point_as_its_labels_digit_in_its_labels_colour():
    points = np.array([[-0.5, 0.0], [0.5, 0.0]])
    picture = class_scatter(points, np.array([1, 0]), (-1, 1), (-1, 1), 120, radius_px=4)
    expected = scatter_picture(points, CLASS_RGB[[1, 0]], (-1, 1), (-1, 1), 120, radius_px=4, glyphs=["1", "0"])
    assert np.array_equal(picture, expected)
    assert len(CLASS_COLOURS) == len(CLASS_RGB) == 10 and CLASS_RGB[0].tolist() == [0x33, 0x22, 0x88]
