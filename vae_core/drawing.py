"""A drawing made in the app -> an MNIST-style input: the recipe for clean strokes on a blank canvas.

A photo needs the page found first (vae_core.preprocess: the paper's light, ruled lines, other marks); a drawing
in the app's canvas is already light ink on black with nothing else on it, so only LeCun's recipe is left: crop to
the ink, fit the longer side into 20 px (Lanczos), centre by mass in 28 x 28, round to 8 bits. The browser runs
the very same steps on every stroke (views/live/draw.js) to encode the drawing while it is drawn, so each step
here is written to be reproduced there exactly: Pillow's Lanczos on float32, float64 sums, halves rounded up.
"""

from __future__ import annotations

import base64
import binascii
import io

import numpy as np
from PIL import Image

from .preprocess import (
    BOX,
    SIDE,
    WIDE,
    ImageInputError,
    PreprocessResult,
    centre_by_mass,
    find_digit,
    fit_into_box,
)
from .render import grey_to_uint8

CANVAS_PX = 280  # the canvas's side in pixels (10x the MNIST field)
MAX_DATA_URL = 2_000_000  # characters; a PNG of 280 x 280 strokes is a few kB
PNG_DATA_URL = "data:image/png;base64,"


def canvas_ink(data_url: str) -> np.ndarray:
    """The canvas's picture, a PNG data URL of light strokes on black, as ink in [0, 1] (float32 (H, W)), read from
    its red channel; ImageInputError says what is wrong with anything else."""
    if not isinstance(data_url, str) or not data_url.startswith(PNG_DATA_URL) or len(data_url) > MAX_DATA_URL:
        raise ImageInputError("The drawing did not arrive as a PNG picture; clear the canvas and draw again.")
    try:
        image = Image.open(io.BytesIO(base64.b64decode(data_url[len(PNG_DATA_URL):], validate=True)))
        image.load()
    except (binascii.Error, OSError, ValueError):
        raise ImageInputError("The drawing could not be read; clear the canvas and draw again.") from None
    if image.size != (CANVAS_PX, CANVAS_PX):
        raise ImageInputError(f"The drawing should be {CANVAS_PX} x {CANVAS_PX} pixels, not {image.size}.")
    return np.asarray(image.convert("RGB"), dtype=np.float32)[..., 0] / 255.0


def to_uint8(grey: np.ndarray) -> np.ndarray:
    """render.grey_to_uint8 computed in float64, as the browser's copy of these steps computes it."""
    return grey_to_uint8(grey.astype(np.float64))


def drawing_to_mnist(ink: np.ndarray) -> PreprocessResult:
    """The recipe above, step by step; raises ImageInputError for a blank canvas."""
    rows, cols = np.nonzero(ink > 0)
    if rows.size == 0:
        raise ImageInputError("The canvas is blank: draw one digit.")
    top, bottom, left, right = rows.min(), rows.max(), cols.min(), cols.max()
    cropped = ink[top : bottom + 1, left : right + 1]
    patch = fit_into_box(cropped)
    if patch.sum() <= 0:
        raise ImageInputError("The strokes are too thin to survive shrinking to 20 x 20 pixels: draw bolder.")
    picture = to_uint8(centre_by_mass(patch))
    steps = [("your drawing", to_uint8(ink)),
             (f"cropped to the digit ({cropped.shape[1]} x {cropped.shape[0]})", to_uint8(cropped)),
             (f"fitted into {BOX} x {BOX} ({patch.shape[1]} x {patch.shape[0]})", to_uint8(patch)),
             (f"centred by mass in {SIDE} x {SIDE}", picture)]
    # The photo analysis's findings feed only the warnings (several marks, ink at the edge: not_one_digit);
    # nothing is cut out of a drawing, so the browser's recipe stays this simple.
    return PreprocessResult(steps=steps, x=picture.reshape(-1).astype(np.float32) / 255.0, findings=find_digit(ink),
                            wide=(right - left + 1) > WIDE * (bottom - top + 1))
