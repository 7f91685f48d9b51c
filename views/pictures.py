"""The one way the app shows a picture: an <img> with a text alternative, inline in the page.

Why not `st.image`: it writes no alt text (Streamlit issue 8563), so a screen reader hears "image" for every
digit. `st.html` keeps an <img> with its alt (and Streamlit's sanitiser allows data: URIs on images). The
picture travels inline as a PNG data URI: no media-file URL that only the replica which made it can serve,
so a page redrawn by another replica behind a load balancer still shows every picture.

Pictures keep their pixels crisp (nearest-neighbour scaling), are drawn at a whole multiple of the model's
28 px, and shrink to the width of their column on a narrow screen (max-width: 100%).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io

import numpy as np
import streamlit as st
from PIL import Image

from . import state_keys

PRESENTER_SCALE = 1.5  # pictures grow by about this much in presenter mode (sidebar toggle, state_keys.PRESENTER)
PRESENTER_MAX_HEIGHT = 620  # but no taller: at 1920 x 1080 a picture then fits below a page's title and controls


CACHED_PIXELS = 20_000  # pictures this large are encoded once for every session: the PNG costs more than a look-up


def _encode(image: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@st.cache_data(max_entries=256, show_spinner=False)
def _shared_encode(pixels_sha1: str, shape: tuple[int, ...], _image: np.ndarray) -> str:
    """_encode, keyed by the pixels' digest (never by session): a picture shown again (the Mean page's traversal
    table on every slider release, the same grid in many sessions) is not encoded again (9 ms for that table)."""
    return _encode(_image)


def png_data_uri(image: np.ndarray) -> str:
    """A uint8 picture, grey (H, W) or RGB (H, W, 3), as a PNG data URI (not JPEG: it would blur the pixels)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    if image.size < CACHED_PIXELS:
        return _encode(image)
    return _shared_encode(hashlib.sha1(image.tobytes()).hexdigest(), image.shape, image)


def shown_width(side: int, width: int, aspect: float = 1.0) -> int:
    """The width a picture `side` px wide and `aspect` times as tall is shown at: about `width` (in presenter mode
    PRESENTER_SCALE times more, up to PRESENTER_MAX_HEIGHT tall), always a whole multiple of `side`, so every model
    pixel is an equal square."""
    if st.session_state.get(state_keys.PRESENTER):
        width = max(width, min(width * PRESENTER_SCALE, PRESENTER_MAX_HEIGHT / aspect))
    return max(side, round(width / side) * side)


def picture_html(image: np.ndarray, alt: str, caption: str | None, width: int) -> str:
    """The <figure> for `image` shown `width` px wide, with `alt` read by screen readers and a visible caption."""
    figcaption = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (
        f'<figure class="vae-picture"><img src="{png_data_uri(image)}" alt="{html.escape(alt, quote=True)}" '
        f'width="{width}" style="width: {width}px">{figcaption}</figure>'
    )


def show_picture(image: np.ndarray, alt: str, caption: str | None = None, width: int = 196) -> None:
    """Show a uint8 picture, grey (H, W) or RGB (H, W, 3), about `width` px wide (see shown_width) with its text
    alternative `alt`: what it shows and the numbers that matter ("reconstruction of a handwritten 4, ELBO -97.7
    nats")."""
    st.html(picture_html(image, alt, caption, shown_width(image.shape[1], width, image.shape[0] / image.shape[1])))


def show_grid(grid: np.ndarray, alt: str, caption: str | None = None, max_width: int = 560) -> None:
    """A tiled uint8 picture (render.image_grid) enlarged by the largest whole factor that fits `max_width`."""
    show_picture(grid, alt, caption, width=grid.shape[1] * max(1, max_width // grid.shape[1]))


PICTURE_CSS = """
.vae-picture {margin: 0 0 0.5rem 0;}
.vae-picture img {image-rendering: pixelated; max-width: 100%; height: auto; display: block;}
.vae-picture figcaption {font-size: 0.875rem; margin-top: 0.25rem;}
"""
