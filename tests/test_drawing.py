"""vae_core.drawing: the canvas's PNG -> ink -> an MNIST-style input, and clear messages for anything else."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from vae_core.drawing import CANVAS_PX, canvas_ink, drawing_to_mnist
from vae_core.preprocess import ImageInputError, not_one_digit


def data_url(grey: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(grey).convert("RGB").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_a_drawn_bar_becomes_a_centred_upright_digit_of_20_rows() -> None:
    grey = np.zeros((CANVAS_PX, CANVAS_PX), np.uint8)
    grey[20:220, 30:60] = 255  # a tall bar near the top left
    result = drawing_to_mnist(canvas_ink(data_url(grey)))
    x = result.x.reshape(28, 28)
    rows = np.nonzero(x.sum(1))[0]
    assert rows.size == 20 and x.max() == 1.0  # fitted into 20 rows, full ink kept
    assert abs((x.sum(1) * np.arange(28)).sum() / x.sum() - 14) <= 0.5  # centred by mass
    assert abs((x.sum(0) * np.arange(28)).sum() / x.sum() - 14) <= 0.5
    assert [title for title, _ in result.steps][-1] == "centred by mass in 28 x 28" and not result.wide


def test_a_blank_canvas_says_so() -> None:
    with pytest.raises(ImageInputError, match="blank"):
        drawing_to_mnist(canvas_ink(data_url(np.zeros((CANVAS_PX, CANVAS_PX), np.uint8))))


@pytest.mark.parametrize("bad", ["", "data:image/jpeg;base64,AAAA", "data:image/png;base64,!!!",
                                 "data:image/png;base64," + base64.b64encode(b"not a png").decode()])
def test_anything_but_a_png_of_the_canvas_is_refused_with_a_message(bad: str) -> None:
    with pytest.raises(ImageInputError):
        canvas_ink(bad)


def test_a_picture_of_another_size_is_refused() -> None:
    with pytest.raises(ImageInputError, match="280 x 280"):
        canvas_ink(data_url(np.zeros((28, 28), np.uint8)))


def test_two_digits_drawn_side_by_side_get_the_warning_a_photo_would() -> None:
    grey = np.zeros((CANVAS_PX, CANVAS_PX), np.uint8)
    grey[60:220, 40:60] = 255  # a 1
    grey[60:220, 180:200] = 255  # and another, far from it
    result = drawing_to_mnist(canvas_ink(data_url(grey)))
    assert "2 separate marks" in not_one_digit(result)
