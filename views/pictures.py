"""The one way the app shows a picture: an <img> with a text alternative, inline in the page.

Why not `st.image`: it writes no alt text (Streamlit issue 8563), so a screen reader hears "image" for every
digit. `st.html` keeps an <img> with its alt (and Streamlit's sanitiser allows data: URIs on images). The
picture travels inline as a PNG data URI: no media-file URL that only the replica which made it can serve,
so a page redrawn by another replica behind a load balancer still shows every picture.

Pictures keep their pixels crisp (nearest-neighbour scaling), are drawn at a whole multiple of the model's
28 px, and shrink to the width of their column on a narrow screen (max-width: 100%). A chart drawn as a picture
(`smooth`: a latent map of glyphs, drawn larger than shown for dense screens) is scaled smoothly to any width.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import struct

import numpy as np
import streamlit as st
from PIL import Image

from vae_core.render import CLASS_COLOURS

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
    """_encode, keyed by the pixels' digest (never by session): a picture shown again (the same grid in many
    sessions, on every slider release) is not encoded again."""
    return _encode(_image)


def png_data_uri(image: np.ndarray | bytes) -> str:
    """A uint8 picture, grey (H, W) or RGB (H, W, 3), as a PNG data URI (not JPEG: it would blur the pixels); a
    picture already encoded as PNG bytes (a cached chart) goes as it is."""
    if isinstance(image, bytes):
        return "data:image/png;base64," + base64.b64encode(image).decode("ascii")
    image = np.ascontiguousarray(image, dtype=np.uint8)
    if image.size < CACHED_PIXELS:
        return _encode(image)
    return _shared_encode(hashlib.sha1(image.tobytes()).hexdigest(), image.shape, image)


def picture_size(image: np.ndarray | bytes) -> tuple[int, int]:
    """(height, width) in pixels of a picture, or of PNG bytes (read from its header)."""
    if isinstance(image, bytes):
        width, height = struct.unpack(">II", image[16:24])  # IHDR, right after the 8-byte signature
        return height, width
    return image.shape[0], image.shape[1]


def shown_width(side: int, width: int, aspect: float = 1.0) -> int:
    """The width a picture `side` px wide and `aspect` times as tall is shown at: about `width` (in presenter mode
    PRESENTER_SCALE times more, up to PRESENTER_MAX_HEIGHT tall), always a whole multiple of `side`, so every model
    pixel is an equal square."""
    if st.session_state.get(state_keys.PRESENTER):
        width = max(width, min(width * PRESENTER_SCALE, PRESENTER_MAX_HEIGHT / aspect))
    return max(side, round(width / side) * side)


def picture_html(image: np.ndarray | bytes, alt: str, caption: str | None, width: int, smooth: bool = False) -> str:
    """The <figure> for `image` shown `width` px wide, with `alt` read by screen readers and a visible caption."""
    figcaption = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    kind = "vae-picture vae-smooth" if smooth else "vae-picture"
    return (
        f'<figure class="{kind}"><img src="{png_data_uri(image)}" alt="{html.escape(alt, quote=True)}" '
        f'width="{width}" style="width: {width}px">{figcaption}</figure>'
    )


SHOWN_PICTURE_WIDTH = 196  # px: a picture's width by default (seven screen pixels to a model pixel)


def show_picture(image: np.ndarray | bytes, alt: str, caption: str | None = None, width: int = SHOWN_PICTURE_WIDTH,
                 smooth: bool = False) -> None:
    """Show a uint8 picture, grey (H, W) or RGB (H, W, 3), or PNG bytes, about `width` px wide (see shown_width)
    with its text alternative `alt`: what it shows and the numbers that matter ("reconstruction of a handwritten 4,
    ELBO -97.7 nats"). `smooth`: a chart drawn as a picture, shown at `width` (grown in presenter mode) and scaled
    smoothly, not in whole multiples of its pixels."""
    height, side = picture_size(image)
    st.html(picture_html(image, alt, caption, shown_width(1 if smooth else side, width, height / side), smooth))


def show_grid(grid: np.ndarray, alt: str, caption: str | None = None, max_width: int = 560) -> None:
    """A tiled uint8 picture (render.image_grid) enlarged by the largest whole factor that fits `max_width`."""
    show_picture(grid, alt, caption, width=grid.shape[1] * max(1, max_width // grid.shape[1]))


@st.cache_data(max_entries=64, show_spinner=False)
def _cell_sources(pixels_sha1: str, shape: tuple[int, ...], _cells: np.ndarray) -> list[list[str]]:
    """Each cell of (R, C, H, W) as a PNG data URI, keyed by the cells' digest (never by session): the traversal
    table's 140 small pictures are encoded once, not on every slider release."""
    return [[png_data_uri(cell) for cell in row] for row in _cells]


def table_html(
    cells: np.ndarray, rows: list[str], columns: list[str], corner: str, alt: str, caption: str, width: int
) -> str:
    """A table of pictures as real HTML text: `cells` (R, C, H, W) uint8, one picture per cell shown `width` px wide,
    row and column headers (`corner` heads the row headers), the caption below. Each picture's `alt` names its
    cell: "{row}" and "{column}" in it become the cell's headers. Screen readers read the headers with the cells,
    and the headers are text that presenter mode enlarges like any other."""
    esc = html.escape
    cells = np.ascontiguousarray(cells, dtype=np.uint8)
    sources = _cell_sources(hashlib.sha1(cells.tobytes()).hexdigest(), cells.shape, cells)
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    body = "".join(
        f'<tr><th scope="row">{esc(r)}</th>' + "".join(
            f'<td><img src="{src}" alt="{esc(alt.format(row=r, column=c), quote=True)}" '
            f'width="{width}" style="width: {width}px"></td>' for c, src in zip(columns, row_sources)) + "</tr>"
        for r, row_sources in zip(rows, sources))
    return (f'<div class="vae-table"><table><caption>{esc(caption)}</caption><thead><tr><th scope="col">'
            f"{esc(corner)}</th>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def show_table(cells: np.ndarray, rows: list[str], columns: list[str], corner: str, alt: str, caption: str,
               width: int = 56) -> None:
    """Show `cells` (R, C, H, W) as a table of pictures with text headers (table_html), each picture about `width`
    px wide (shown_width: larger in presenter mode); on a narrow screen the cells shrink to fit (and the table's box
    scrolls sideways where even that is not enough)."""
    st.html(table_html(cells, rows, columns, corner, alt, caption, shown_width(cells.shape[-1], width)))


# The legend of a latent map drawn by render.class_scatter: each label's colour beside its digit. The swatches are
# decoration (the digit says the class), so the line reads the same without colour.
CLASS_KEY_HTML = (
    '<p class="vae-class-key">Each point is drawn as its test digit\'s label, in that label\'s colour: '
    + "".join(f'<span class="vae-key"><span class="vae-swatch" style="background: {colour}"></span>{label}</span>'
              for label, colour in enumerate(CLASS_COLOURS))
    + "</p>"
)

PICTURE_CSS = """
.vae-picture {margin: 0 0 0.5rem 0;}
.vae-picture img {image-rendering: pixelated; max-width: 100%; height: auto; display: block;}
.vae-picture.vae-smooth img {image-rendering: auto;}
.vae-picture figcaption {font-size: 0.875rem; margin-top: 0.25rem;}
.vae-table {overflow-x: auto; margin: 0 0 0.5rem 0;}
.vae-table table {border-collapse: separate; border-spacing: 2px; max-width: 100%;}
.vae-table th {font-weight: normal; padding: 0 0.3em; text-align: center;}
.vae-table th[scope=row] {text-align: right;}
.vae-table td {padding: 0; line-height: 0; background: #404040;}
.vae-table img {image-rendering: pixelated; display: block; max-width: 100%; height: auto;}
.vae-table caption {caption-side: bottom; text-align: left; font-size: 0.875rem; margin-top: 0.25rem;}
.vae-class-key .vae-key {white-space: nowrap; margin-right: 0.6em;}
.vae-class-key .vae-swatch {display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.2em;
    vertical-align: -0.05em; border-radius: 2px;}
"""
