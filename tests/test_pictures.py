"""views.pictures: every picture travels as a lossless PNG data URI, the large ones encoded once for all sessions."""

from __future__ import annotations

import numpy as np
import pytest

from tests.apptest import picture
from views.pictures import CACHED_PIXELS, png_data_uri


@pytest.mark.parametrize("shape", [(28, 28), (300, 300), (200, 150, 3)])
def test_png_data_uri_keeps_every_pixel(shape: tuple[int, ...]) -> None:
    image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    assert np.array_equal(np.asarray(picture(png_data_uri(image))), image)


def test_a_large_picture_changed_in_one_pixel_is_encoded_anew() -> None:
    """The shared encoding is keyed by every pixel, so no picture is shown with another one's PNG."""
    image = np.random.default_rng(1).integers(0, 256, (300, 300), dtype=np.uint8)
    assert image.size >= CACHED_PIXELS
    first = png_data_uri(image)
    changed = image.copy()
    changed[299, 299] ^= 1
    assert png_data_uri(image) == first
    assert np.array_equal(np.asarray(picture(png_data_uri(changed))), changed)
    assert png_data_uri(changed.reshape(150, 600)).startswith("data:image/png")  # same bytes, another shape
    assert np.asarray(picture(png_data_uri(changed.reshape(150, 600)))).shape == (150, 600)
