"""render.py: tiling decoded digits into one picture and encoding pictures as PNG and GIF."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.utils import make_grid

from vae_core.render import image_grid, to_gif, to_png, upscale


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
