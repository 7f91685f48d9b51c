"""Pictures from outside (uploads, the drawing canvas) made to look like MNIST digits.

The one place image preprocessing lives. Untrusted bytes are decoded by content with
guards against oversized files and decompression bombs, then LeCun's recipe is applied:
grey ink made bright on a dark background, cropped to the ink, fitted into 20x20 with
anti-aliasing, and placed in 28x28 so that its centre of mass is at the centre.
Every failure raises `ImageInputError` with a message meant for the user.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from .render import grey_to_uint8

FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP")
FORMATS_TEXT = "PNG, JPEG, BMP, GIF or WebP"
MAX_BYTES = 5 * 2**20  # the same 5 MB as the uploader's server.maxUploadSize
MAX_PIXELS = 4096 * 4096  # a digit needs far fewer; far below Pillow's own bomb limit (~89 MP)
DRAFT_MIN_SIDE = 512  # JPEGs are decoded at a reduced scale down to this side (see load_image)
SIDE = 28  # MNIST field
BOX = 20  # MNIST digits are fitted into 20x20 inside the 28x28 field
MIN_CONTRAST = 0.1  # ink and paper must differ by at least this much (of the full grey range)
NOISE_FLOOR = 0.2  # fraction of the ink range below which a pixel counts as paper (specks, JPEG noise)
DISPLAY_SIDE = 512  # intermediate pictures are shrunk to this for showing them


class ImageInputError(ValueError):
    """A picture that cannot be used as a digit; the message says why, for the user."""


@dataclass
class PreprocessResult:
    """What the model is given (`x`: float32 (784,) in [0, 1], ink bright) and each step that led there."""

    steps: list[tuple[str, np.ndarray]]  # (title, uint8 picture), in order; the last is the 28x28 input
    x: np.ndarray


def load_image(data: bytes, max_bytes: int = MAX_BYTES) -> Image.Image:
    """Decode untrusted bytes into an upright picture (first frame), checking size before decoding."""
    if not data:
        raise ImageInputError("The file is empty.")
    if len(data) > max_bytes:
        raise ImageInputError(
            f"The file is {len(data) / 2**20:.2f} MB; the limit is {max_bytes / 2**20:.0f} MB. "
            "A digit needs far fewer pixels: crop or shrink the picture first."
        )
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice it; here that is an error too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as e:
            raise ImageInputError(_too_many_pixels_message(None)) from e
        except Image.UnidentifiedImageError as e:
            raise ImageInputError(
                f"This file is not a picture in a format that works here: use {FORMATS_TEXT}. "
                "(The file's content is checked, not its name: an SVG, PDF, web page or text file renamed "
                "to .png is still not a PNG.)"
            ) from e
        except Exception as e:  # noqa: BLE001 - a malformed header can raise almost anything
            raise _damaged(e) from e
        width, height = im.size
        if width * height > MAX_PIXELS:
            raise ImageInputError(_too_many_pixels_message((width, height)))
        if width < 1 or height < 1:
            raise ImageInputError("The picture has no pixels.")
        try:
            im.seek(0)  # animated GIF/WebP/PNG: the first frame
            if im.format == "JPEG":
                # A phone photo is decoded at the smallest DCT scale that keeps both sides >= DRAFT_MIN_SIDE:
                # the digit ends up 20 x 20 anyway, and a 12 MP decode alone costs ~150 ms.
                im.draft(im.mode, (DRAFT_MIN_SIDE, DRAFT_MIN_SIDE))
            im.load()
            ImageOps.exif_transpose(im, in_place=True)  # in place: a copy of a 12 MP photo costs ~15 ms
            return im
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as e:
            raise ImageInputError(_too_many_pixels_message((width, height))) from e
        except Exception as e:  # noqa: BLE001 - truncated or corrupt data: OSError, SyntaxError, struct.error, ...
            raise _damaged(e) from e


def _too_many_pixels_message(size: tuple[int, int] | None) -> str:
    what = f"{size[0]} x {size[1]} pixels" if size else "far too many pixels"
    return (
        f"The picture has {what}; the limit is {MAX_PIXELS / 1e6:.1f} megapixels "
        f"(for example 4096 x 4096). A digit needs far fewer: shrink the picture first."
    )


def _damaged(e: Exception) -> ImageInputError:
    return ImageInputError(
        f"The picture is damaged or incomplete (the file may have been cut short): {e}. "
        "Save it again and upload the new file."
    )


def canvas_to_image(rgba: np.ndarray) -> Image.Image:
    """The drawing canvas's pixels (H, W, 4 uint8) as a picture; goes through the same path as uploads."""
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.shape[0] < 1 or rgba.shape[1] < 1:
        raise ImageInputError(f"The drawing should be an RGBA picture (H, W, 4), got shape {rgba.shape}.")
    return Image.fromarray(np.ascontiguousarray(rgba, dtype=np.uint8))


def grey_on_white(image: Image.Image) -> np.ndarray:
    """Grey levels in [0, 1] (H, W), 1 = white, with any transparency composited onto white paper.

    A picture whose colours are all the same and whose strokes live only in the alpha channel
    (light ink on a transparent background, as the canvas gives) is read from its alpha instead.
    """
    mode = image.mode
    if mode.startswith("I") or mode == "F":  # 16/32-bit integer or float greyscale
        grey = np.asarray(image, dtype=np.float64)
        top = 1.0 if mode == "F" else max(65535.0, float(grey.max(initial=0)))
        return np.clip(grey / top, 0.0, 1.0).astype(np.float32)
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if not has_alpha:
        return np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    rgba = image.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = np.asarray(Image.alpha_composite(paper, rgba).convert("L"), dtype=np.float32) / 255.0
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
    if _contrast(grey) < MIN_CONTRAST <= _contrast(alpha):
        return 1.0 - alpha
    return grey


def _contrast(a: np.ndarray) -> float:
    return float(a.max() - a.min()) if a.size else 0.0


def _border(a: np.ndarray) -> np.ndarray:
    return np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])


def _for_display(a: np.ndarray, fill: float) -> np.ndarray:
    """uint8 square picture for showing a step: shrunk (box filter) to at most DISPLAY_SIDE, then padded
    with `fill` to a square, so a long thin strip is still visible in a row of equal tiles."""
    img = grey_to_uint8(a)
    h, w = img.shape
    if max(h, w) > DISPLAY_SIDE:
        s = DISPLAY_SIDE / max(h, w)
        size = (max(1, round(w * s)), max(1, round(h * s)))
        img = np.asarray(Image.fromarray(img).resize(size, Image.Resampling.BOX))
        h, w = img.shape
    side = max(h, w)
    square = np.full((side, side), grey_to_uint8(np.asarray(fill)), dtype=np.uint8)
    top, left = (side - h) // 2, (side - w) // 2
    square[top : top + h, left : left + w] = img
    return square


def _fit(ink: np.ndarray, box: int = BOX) -> np.ndarray:
    """Resize so the longer side is `box`, keeping the aspect ratio; anti-aliased (Lanczos)."""
    h, w = ink.shape
    s = box / max(h, w)
    size = (max(1, min(box, round(w * s))), max(1, min(box, round(h * s))))
    resized = Image.fromarray(ink.astype(np.float32)).resize(size, Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def centre_by_mass(patch: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Place `patch` in a side x side field, shifted so its centre of mass lands at (side/2, side/2).

    Whole-pixel shifts keep the strokes sharp; the patch is kept entirely inside the field.
    """
    h, w = patch.shape
    mass = patch.sum()
    rows, cols = np.arange(h), np.arange(w)
    com_r = float((patch.sum(1) * rows).sum() / mass)
    com_c = float((patch.sum(0) * cols).sum() / mass)
    top = int(np.clip(round(side / 2 - com_r), 0, side - h))
    left = int(np.clip(round(side / 2 - com_c), 0, side - w))
    field = np.zeros((side, side), dtype=np.float32)
    field[top : top + h, left : left + w] = patch
    return field


def to_mnist_style(image: Image.Image) -> PreprocessResult:
    """LeCun's MNIST recipe applied to any picture of one digit; raises ImageInputError if there is no ink."""
    grey = grey_on_white(image)
    paper = float(np.median(_border(grey)))
    steps = [("greyscale on white", _for_display(grey, paper))]

    light_paper = paper > 0.5
    ink = 1.0 - grey if light_paper else grey
    background = 1.0 - paper if light_paper else paper
    steps.append(("inverted: ink bright" if light_paper else "ink already bright", _for_display(ink, background)))

    strongest = float(ink.max())
    if strongest - background < MIN_CONTRAST:
        raise ImageInputError(
            "No digit found: the picture is one flat shade with no strokes to read. "
            "Use a dark digit on a light background or a light digit on a dark one."
        )
    # Rescale so paper is 0 and the strongest stroke is 1; faint specks below the floor become paper.
    level = np.clip((ink - background) / (strongest - background), 0.0, 1.0)
    level = np.clip((level - NOISE_FLOOR) / (1.0 - NOISE_FLOOR), 0.0, 1.0)
    rows, cols = np.flatnonzero(level.any(axis=1)), np.flatnonzero(level.any(axis=0))  # not empty: max(level) = 1
    cropped = level[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    steps.append((f"cropped to the ink ({cropped.shape[1]} x {cropped.shape[0]})", _for_display(cropped, 0.0)))

    patch = _fit(cropped)
    if patch.sum() <= 0:  # a hairline can vanish when shrunk a hundredfold
        raise ImageInputError("No digit found: the strokes are too thin to survive shrinking to 20 x 20 pixels.")
    steps.append((f"fitted into {BOX} x {BOX} ({patch.shape[1]} x {patch.shape[0]})", _for_display(patch, 0.0)))

    field = centre_by_mass(patch)
    picture = grey_to_uint8(field)
    steps.append((f"centred by mass in {SIDE} x {SIDE}", picture))
    # The model reads the 8-bit picture shown, like a real MNIST digit, and a link (format_picture) holds it exactly.
    return PreprocessResult(steps=steps, x=picture.reshape(-1).astype(np.float32) / 255.0)
