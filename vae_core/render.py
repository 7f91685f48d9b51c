"""Decoding to pictures: the one place codes become images, grids, PNGs and GIFs."""

from __future__ import annotations

import io
import math
import struct
import zlib

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from .model import IMAGE_SIDE, VAE

# The ten classes' colours on every latent map: Paul Tol's "muted" scheme, made for colour-blind viewers, with dark
# grey as a tenth colour. Colour is not the only cue: class_scatter draws each point as its label's digit.
CLASS_COLOURS = [
    "#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#882255", "#aa4499", "#555555",
]
CLASS_RGB = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in CLASS_COLOURS], dtype=np.uint8)


@torch.inference_mode()
def decode_probs(model: VAE, z: torch.Tensor) -> np.ndarray:
    """Bernoulli means of p(x|z) for a batch of codes, as float32 (N, 784) in [0, 1]."""
    return model.decode(torch.as_tensor(z).reshape(-1, model.config.latent_dim).float()).numpy()


def decode_images(model: VAE, z: torch.Tensor) -> np.ndarray:
    """Bernoulli means of p(x|z) for a batch of codes, as uint8 images (N, 28, 28)."""
    return to_uint8(decode_probs(model, z))


def to_uint8(probs: torch.Tensor | np.ndarray) -> np.ndarray:
    """Pixel probabilities (or grey levels) in [0, 1], any leading shape -> uint8 (N, 28, 28)."""
    return grey_to_uint8(torch.as_tensor(probs).detach().float().reshape(-1, IMAGE_SIDE, IMAGE_SIDE).numpy())


def grey_to_uint8(grey: np.ndarray) -> np.ndarray:
    """Grey levels in [0, 1], any shape -> uint8 of the same shape, rounded to the nearest of 0 .. 255
    (values outside [0, 1] are clipped first)."""
    return (np.clip(grey, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def image_grid(images: np.ndarray, nrow: int, padding: int = 2, pad_value: int = 64) -> np.ndarray:
    """Tile uint8 images (N, H, W) into one uint8 picture, `nrow` images per row, with `padding` pixels of
    `pad_value` around and between them; empty cells of the last row are `pad_value` too.

    The layout of torchvision's make_grid (a single image comes back as it is), built with whole-array
    numpy copies: make_grid's per-image loop took milliseconds for the 900 cells of a manifold.
    """
    images = np.asarray(images)
    n, h, w = images.shape
    if n == 1:
        return images[0].copy()
    cols = min(nrow, n)
    rows = -(-n // cols)
    cells = np.full((rows * cols, h + padding, w + padding), pad_value, dtype=images.dtype)
    cells[:n, padding:, padding:] = images  # each cell: padding above and to the left of its image
    tiled = cells.reshape(rows, cols, h + padding, w + padding).transpose(0, 2, 1, 3)
    grid = np.full((rows * (h + padding) + padding, cols * (w + padding) + padding), pad_value, dtype=images.dtype)
    grid[: rows * (h + padding), : cols * (w + padding)] = tiled.reshape(rows * (h + padding), cols * (w + padding))
    return grid


def outline_cell(grid: np.ndarray, index: int, nrow: int, size: int = 28, padding: int = 2,
                 value: int = 255) -> np.ndarray:
    """A copy of an image_grid picture of `size`-px cells with the outer `padding` pixels of cell `index` (row by row
    from 0) set to `value`: a frame that marks one cell (Sample's chosen draw). Inside the cell, so that the grid's
    outline stays whole and the frame has the grey padding on one side and the digit's black edge on the other.
    Unchanged where `index` is off the grid."""
    marked = grid.copy()
    top, left = padding + (index // nrow) * (size + padding), padding + (index % nrow) * (size + padding)
    cell = marked[top: top + size, left: left + size]
    if index < 0 or padding <= 0 or cell.shape != (size, size):
        return marked
    cell[:padding] = cell[-padding:] = value
    cell[:, :padding] = cell[:, -padding:] = value
    return marked


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement: every model pixel stays a crisp square."""
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def to_png(image: np.ndarray, scale: int = 1) -> bytes:
    """A lossless 8-bit greyscale PNG of a uint8 picture (H, W), enlarged `scale` times (nearest neighbour).

    Written directly with zlib rather than by Pillow: no row filters and run-length deflate suit these mostly
    black pictures; a 30 x 30 manifold (840 x 840) takes ~3.5 ms instead of ~11 ms, for a file ~15% larger.
    """
    pixels = np.asarray(upscale(image, scale) if scale > 1 else image)
    if pixels.dtype != np.uint8 or pixels.ndim != 2:
        raise ValueError(f"to_png takes a uint8 (H, W) picture, got {pixels.dtype} {pixels.shape}")
    height, width = pixels.shape
    rows = np.zeros((height, width + 1), dtype=np.uint8)  # each row starts with its filter type, 0: none
    rows[:, 1:] = pixels
    deflate = zlib.compressobj(zlib.Z_BEST_SPEED, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    data = deflate.compress(rows.tobytes()) + deflate.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit, greyscale, no interlacing
    return PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def to_png_colour(picture: np.ndarray, colours: int = 64) -> bytes:
    """A PNG of a uint8 RGB picture (H, W, 3) with an adaptive palette of `colours` colours.

    For colour charts such as scatter_picture's: a palette and Pillow's row filters make a 960-pixel map
    ~65 KB instead of ~150 KB as RGB, which matters because the chart is sent again on every rerun."""
    buf = io.BytesIO()
    Image.fromarray(picture, "RGB").quantize(colours, method=Image.Quantize.FASTOCTREE).save(buf, format="PNG")
    return buf.getvalue()


def scatter_picture(
    points: np.ndarray,
    colours: np.ndarray,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    size_px: int,
    radius_px: float = 2.5,
    opacity: float = 0.7,
    glyphs: list[str] | None = None,
    grid_step: float | None = None,
) -> np.ndarray:
    """Points (N, 2) drawn as translucent discs on white, one RGB colour (N, 3) each, over the given axis
    ranges, as a uint8 (size_px, size_px, 3) picture whose top row is y_range[1]. With `glyphs` (one short
    text per point, such as its label's digit) each point is that text, about 6 * radius_px tall, instead
    of a disc: told apart without colour. With `grid_step`, light grey lines mark every multiple of it on both
    axes (a darker one at 0) under the points, so positions can be read without tick labels.

    Drawn in the given order, so interleaved classes leave no class always on top. A browser draws this
    one picture far faster than ten thousand chart markers (benchmarks/RESULTS.md)."""
    picture = Image.new("RGB", (size_px, size_px), "white")
    draw = ImageDraw.Draw(picture, "RGBA")  # RGBA fills blend with what is already drawn
    (x0, x1), (y0, y1) = x_range, y_range
    if grid_step:
        for k in range(math.ceil(min(x0, y0) / grid_step), math.floor(max(x1, y1) / grid_step) + 1):
            grey = (150, 150, 150) if k == 0 else (225, 225, 225)
            x, y = (k * grid_step - x0) / (x1 - x0) * size_px, (y1 - k * grid_step) / (y1 - y0) * size_px
            draw.line([(x, 0), (x, size_px)], fill=grey)
            draw.line([(0, y), (size_px, y)], fill=grey)
    px = (np.asarray(points[:, 0], dtype=np.float64) - x0) / (x1 - x0) * size_px
    py = (y1 - np.asarray(points[:, 1], dtype=np.float64)) / (y1 - y0) * size_px
    alpha = round(opacity * 255)
    inside = (px > -radius_px) & (px < size_px + radius_px) & (py > -radius_px) & (py < size_px + radius_px)
    colours = np.asarray(colours)[inside].tolist()
    if glyphs is not None:
        masks, half = glyph_masks(sorted(set(glyphs)), round(6 * radius_px), alpha), round(3 * radius_px)
        for x, y, colour, glyph in zip(px[inside].tolist(), py[inside].tolist(), colours,
                                       np.asarray(glyphs, dtype=object)[inside].tolist()):
            picture.paste(tuple(colour), (round(x) - half, round(y) - half), masks[glyph])  # the mask blends
        return np.asarray(picture)
    for x, y, (r, g, b) in zip(px[inside].tolist(), py[inside].tolist(), colours):
        draw.ellipse((x - radius_px, y - radius_px, x + radius_px, y + radius_px), fill=(r, g, b, alpha))
    return np.asarray(picture)


def class_scatter(
    points: np.ndarray,
    labels: np.ndarray,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    size_px: int,
    radius_px: float,
    grid_step: float | None = None,
) -> np.ndarray:
    """The latent map's picture: each point (N, 2) drawn as its label's digit (labels: N ints 0-9) in that
    label's CLASS_COLOURS colour (scatter_picture)."""
    labels = np.asarray(labels)
    return scatter_picture(points, CLASS_RGB[labels], x_range, y_range, size_px, radius_px=radius_px,
                           glyphs=[str(label) for label in labels.tolist()], grid_step=grid_step)


def class_glyph_masks(radius_px: float, opacity: float = 0.7) -> np.ndarray:
    """The masks class_scatter pastes each label's colour through, (10, s, s) uint8 for the digits 0-9, s =
    round(6 * radius_px): a browser that draws the latent map itself blends them as Pillow does
    (views/live/scatter.js)."""
    size = round(6 * radius_px)
    masks = glyph_masks([str(c) for c in range(10)], size, round(opacity * 255))
    return np.stack([np.asarray(masks[str(c)]) for c in range(10)])


def glyph_masks(glyphs: list[str], size_px: int, alpha: int) -> dict[str, Image.Image]:
    """Each text drawn once, centred in a size_px square greyscale mask whose ink is `alpha` (Pillow's own
    scalable font, so no font file is needed)."""
    font = ImageFont.load_default(size=size_px)
    masks = {}
    for glyph in glyphs:
        mask = Image.new("L", (size_px, size_px), 0)
        ImageDraw.Draw(mask).text((size_px / 2, size_px / 2), glyph, fill=alpha, font=font, anchor="mm")
        masks[glyph] = mask
    return masks


def to_gif(frames: np.ndarray, scale: int = 4, frame_ms: int = 80, bounce: bool = True) -> bytes:
    """An animated GIF of uint8 frames (N, H, W); `bounce` plays forward then back."""
    seq = list(frames) + (list(frames[-2:0:-1]) if bounce and len(frames) > 2 else [])
    pics = [Image.fromarray(upscale(f, scale)) for f in seq]
    buf = io.BytesIO()
    # optimize=False: Pillow's palette pass halves the speed (17 -> 8 ms for 16 frames at 4x) for no smaller file
    pics[0].save(buf, format="GIF", save_all=True, append_images=pics[1:], duration=frame_ms, loop=0, optimize=False)
    return buf.getvalue()
