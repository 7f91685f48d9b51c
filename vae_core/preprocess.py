"""Pictures from outside (uploads, the drawing canvas) made to look like MNIST digits.

The one place image preprocessing lives. Untrusted bytes are decoded by content with
guards against oversized files and decompression bombs. The digit is then found on the page, as a
phone photo shows it: the paper's uneven light (gradient, vignetting, shadow) is estimated and
divided out, and a desk along the edges, faint ruled lines, specks and other marks are left out
(`find_digit`). Then LeCun's recipe: ink made bright on black, cropped to the digit, fitted into
20x20 with anti-aliasing (strokes far finer or broader than MNIST's evened first, `even_strokes`), and placed in
28x28 so that its centre of mass is at the centre.
`not_one_digit` says, for the user, when the picture does not look like one handwritten digit.
Every failure raises `ImageInputError` with a message meant for the user.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from .render import grey_to_uint8

FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP")
FORMATS_TEXT = "PNG, JPEG, BMP, GIF or WebP"
MAX_BYTES = 20 * 2**20  # the same 20 MB as the uploader's server.maxUploadSize: a 12 MP phone photo fits
MAX_PIXELS = 4096 * 4096  # a digit needs far fewer; far below Pillow's own bomb limit (~89 MP)
DRAFT_MIN_SIDE = 512  # JPEGs are decoded at a reduced scale down to this side (see load_image)
SIDE = 28  # MNIST field
BOX = 20  # MNIST digits are fitted into 20x20 inside the 28x28 field
MIN_CONTRAST = 0.1  # ink and paper must differ by at least this much (of the full grey range)
MIN_DIGIT_SHARE = 0.04  # the digit's ink spans at least this share of the picture's longer side
MIN_INK = 0.2  # ink is at least this much darker than its paper; paper grain and JPEG noise are not
WORK_PIXELS = 256 * 256  # the page is analysed at most this large (see _working_scale)
DESK_SHARE = 0.15  # a desk shows at most this share of the picture's side in from an edge (find_digit)
EDGE_SHARE = 0.02  # ink this close to the picture's edge (share of its side) runs off it (find_digit)
POLARITY_WINDOW = 0.1  # the neighbourhood (share of the picture's side) that decides the ink's polarity
POLARITY_DOUBT = 0.05  # a vote this close to even keeps the paper light (is_light_paper)
PAPER_WINDOW = 0.25  # the paper's light is estimated over windows this share of the picture's side (paper_light)
INK_SHARE = 0.45  # pen ink is at least this share as dark as the darkest mark; ruled lines are fainter
SPECK_SHARE = 0.03  # marks with less ink than this share of the largest are specks
PIECE_REACH = 0.25  # marks this close to the largest one's box (share of its side) are pieces of the digit
MARK_SHARE = 0.3  # another mark with at least this share of the digit's ink counts as a separate mark
WIDE = 1.8  # ink wider than this many times its height is not one digit
ATYPICAL_SHARE = 0.01  # an ELBO below all but this share of the test digits' is atypical
DISPLAY_SIDE = 512  # intermediate pictures are shrunk to this for showing them
STROKE_SCALE = 4  # strokes are measured and evened with the digit fitted into STROKE_SCALE * BOX pixels
# MNIST's stroke width at that scale (2 x ink / its outline, ink >= 0.5): 7.4 px median, 5th-95th percentile 4.9-11.6,
# over 2,000 test digits enlarged 4x. Strokes far outside are evened towards it: a ballpoint's hairline on a large
# digit would otherwise fade to grey in 20 x 20, and a marker's strokes fill the loops.
MNIST_STROKE = 7.4
STROKE_RANGE = (4.9, 11.6)  # only strokes outside what MNIST has are evened


class ImageInputError(ValueError):
    """A picture that cannot be used as a digit; the message says why, for the user."""


@dataclass
class PreprocessResult:
    """What the model is given (`x`: float32 (784,) in [0, 1], ink bright) and each step that led there."""

    steps: list[tuple[str, np.ndarray]]  # (title, uint8 picture), in order; the last is the 28x28 input
    x: np.ndarray
    findings: PageFindings | None = None  # what the page analysis found
    wide: bool = False  # the digit's ink is much wider than tall


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


def _for_display(a: np.ndarray, fill: float) -> np.ndarray:
    """uint8 square picture for showing a step: shrunk (box filter) to at most DISPLAY_SIDE, then padded
    with `fill` to a square, so a long thin strip is still visible in a row of equal tiles. `a` is grey
    levels in [0, 1] (H, W), or an RGB uint8 picture (H, W, 3)."""
    img = a if a.dtype == np.uint8 else grey_to_uint8(a)
    h, w = img.shape[:2]
    if max(h, w) > DISPLAY_SIDE:
        s = DISPLAY_SIDE / max(h, w)
        size = (max(1, round(w * s)), max(1, round(h * s)))
        img = np.asarray(Image.fromarray(img).resize(size, Image.Resampling.BOX))
        h, w = img.shape[:2]
    side = max(h, w)
    square = np.full((side, side, *img.shape[2:]), grey_to_uint8(np.asarray(fill)), dtype=np.uint8)
    top, left = (side - h) // 2, (side - w) // 2
    square[top : top + h, left : left + w] = img
    return square


def _working_scale(grey: np.ndarray) -> np.ndarray:
    """The picture shrunk (box filter) to at most WORK_PIXELS: the digit ends up 20 x 20, and the page
    analysis below is linear in the pixels. Never enlarged."""
    h, w = grey.shape
    s = min(1.0, (WORK_PIXELS / (h * w)) ** 0.5)
    if s == 1.0:
        return grey
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return np.asarray(Image.fromarray(grey).resize(size, Image.Resampling.BOX), dtype=np.float32)


def _running(a: np.ndarray, k: int, axis: int, reduce: np.ufunc) -> np.ndarray:
    """max or min over a window of k pixels centred on each pixel along `axis` (edges padded by replication)."""
    k = min(k, a.shape[axis] * 2 - 1) | 1
    pad = [(0, 0), (0, 0)]
    pad[axis] = (k // 2, k // 2)
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(a, pad, mode="edge"), k, axis=axis)
    return reduce.reduce(windows, axis=-1)


def is_light_paper(grey: np.ndarray) -> bool:
    """Whether the marks are darker than the paper around them (else light ink on dark paper).

    Decided by where the paper sits between the darkest and lightest grey near it, not by how bright the picture
    is: a photo in dim light has dark paper, and a desk along the edges is dark too. Within a window of
    POLARITY_WINDOW of the side the ink is a small part, so most pixels (the paper) sit near the light end when the
    ink is dark, and near the dark end when it is light. Only windows with some contrast vote; a shadow's edge, a
    gradient or noise puts as many pixels near one end as near the other, and a desk is outnumbered by the paper
    it meets. In doubt (no ink: the vote is near even) the paper is light, as it mostly is; a picture without any
    contrast falls back on its median.
    """
    h, w = grey.shape
    k = max(3, round((h * w) ** 0.5 * POLARITY_WINDOW))
    lightest = _running(_running(grey, k, 0, np.maximum), k, 1, np.maximum)
    darkest = _running(_running(grey, k, 0, np.minimum), k, 1, np.minimum)
    spread = lightest - darkest
    varied = spread >= MIN_CONTRAST
    if not varied.any():
        return float(np.median(grey)) > 0.5
    return float(np.median((grey - darkest)[varied] / spread[varied])) >= 0.5 - POLARITY_DOUBT


def paper_light(dark_ink: np.ndarray) -> np.ndarray:
    """How bright the bare paper is at each pixel (dark ink on light paper): a morphological closing
    (the brightest value within a window, then the darkest of those) with a window wider than a pen
    stroke, so strokes vanish while gradients, vignetting and shadow edges are kept as they are."""
    h, w = dark_ink.shape
    k = max(3, round((h * w) ** 0.5 * PAPER_WINDOW))
    brightest = _running(_running(dark_ink, k, 0, np.maximum), k, 1, np.maximum)
    return _running(_running(brightest, k, 0, np.minimum), k, 1, np.minimum)


def _components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Label the 8-connected regions of `mask` 1..n (0 elsewhere): each row's runs are joined to the
    overlapping runs of the row above with a union-find, so the Python loop is over runs, not pixels."""
    h, w = mask.shape
    edges = np.diff(np.pad(mask, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    run_row, run_start = np.nonzero(edges == 1)
    run_end = np.nonzero(edges == -1)[1]  # exclusive; same order as the starts (row by row, left to right)
    parent = list(range(len(run_row)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first = np.searchsorted(run_row, np.arange(h + 1))
    for r in range(1, h):
        above, j = first[r], first[r - 1]
        for i in range(first[r], first[r + 1]):
            while j < above and run_end[j] < run_start[i]:  # ends before this run's left diagonal neighbour
                j += 1
            k = j
            while k < above and run_start[k] <= run_end[i]:  # starts at or before its right diagonal neighbour
                parent[root(k)] = root(i)
                k += 1
    roots = np.array([root(i) for i in range(len(run_row))], dtype=np.int64)
    _, label = np.unique(roots, return_inverse=True)
    labels = np.zeros((h, w), dtype=np.int32)
    for row, start, end, lab in zip(run_row, run_start, run_end, label):
        labels[row, start:end] = lab + 1
    return labels, int(label.max(initial=-1)) + 1


def _boxes(labels: np.ndarray, n: int) -> np.ndarray:
    """(n + 1, 4) top, left, bottom, right (inclusive) of each label; row 0 (background) unused."""
    rows, cols = np.nonzero(labels)
    lab = labels[rows, cols]
    boxes = np.zeros((n + 1, 4), dtype=np.int64)
    boxes[:, 0] = boxes[:, 1] = np.iinfo(np.int64).max
    np.minimum.at(boxes[:, 0], lab, rows)
    np.minimum.at(boxes[:, 1], lab, cols)
    np.maximum.at(boxes[:, 2], lab, rows)
    np.maximum.at(boxes[:, 3], lab, cols)
    return boxes


@dataclass
class PageFindings:
    """What the page analysis found: which ink is the digit and what was left out, and why."""

    digit: np.ndarray  # bool (H, W): the ink kept as the digit
    box: tuple[int, int, int, int]  # top, left, bottom, right (inclusive) of the digit's ink
    left_out: np.ndarray  # bool (H, W): ink that is not the digit (desk, sheet edges, other marks, specks)
    faint: np.ndarray  # bool (H, W): marks too faint to be pen ink (ruled lines, shading left over)
    marks: int  # separate marks of a digit's size, the digit included
    touches_border: bool  # the digit's ink reaches the picture's edge
    reasons: list[str]  # what was left out, in words
    threshold: float  # the darkness from which a mark counts as pen ink


def find_digit(darkness: np.ndarray) -> PageFindings:
    """Split the ink of a flattened page (0 = paper, 1 = darkest) into the digit and the rest.

    Pen ink is the marks at least INK_SHARE as dark as the darkest one off the edges; fainter marks (ruled lines,
    leftover shading) are left out. Ink regions touching the picture's edge (a desk, the sheet's edge,
    lines running off the page) are left out when there is ink that does not; specks far smaller than the
    largest mark are left out; the digit is the largest mark and every mark overlapping its box (grown by
    PIECE_REACH), so a digit written in two strokes stays whole.
    """
    h, w = darkness.shape
    # A desk along the edges can be far darker than a pencil's strokes: the darkest mark is looked for away from them.
    dh, dw = int(h * DESK_SHARE), int(w * DESK_SHARE)
    inner = darkness[dh : h - dh, dw : w - dw]
    darkest = float(inner.max()) if inner.size and inner.max() >= MIN_INK else float(darkness.max())
    threshold = max(MIN_CONTRAST, INK_SHARE * darkest)
    ink = darkness >= threshold
    faint = (darkness >= MIN_CONTRAST) & ~ink
    labels, n = _components(ink)
    mass = np.bincount(labels.ravel(), weights=darkness.ravel(), minlength=n + 1)
    mass[0] = 0.0
    boxes = _boxes(labels, n)
    # Near the edge rather than on it: a desk wider than the paper's window is partly taken as paper.
    margin_h, margin_w = max(1, round(h * EDGE_SHARE)), max(1, round(w * EDGE_SHARE))
    on_border = ((boxes[:, 0] < margin_h) | (boxes[:, 1] < margin_w)
                 | (boxes[:, 2] >= h - margin_h) | (boxes[:, 3] >= w - margin_w))
    on_border[0] = False
    # Specks are small beside the largest mark off the edge: a desk's mass would make a fine pen's digit a speck.
    big = mass >= SPECK_SHARE * (mass[~on_border].max() if (~on_border[1:]).any() else mass.max())
    candidates = big & ~on_border
    reasons = []
    if candidates.any():
        if (big & on_border).any():
            reasons.append("dark regions along the edge (desk, sheet edge, lines)")
    else:
        candidates = big
    main = int(np.argmax(np.where(candidates, mass, 0.0)))
    top, left, bottom, right = boxes[main]
    reach = PIECE_REACH * max(bottom - top + 1, right - left + 1)
    near = ((boxes[:, 0] <= bottom + reach) & (boxes[:, 2] >= top - reach)
            & (boxes[:, 1] <= right + reach) & (boxes[:, 3] >= left - reach))
    kept = candidates & near
    others = candidates & ~near
    if others.any():
        reasons.append(f"{int(others.sum())} other mark{'s' if others.sum() > 1 else ''}")
    if (~big[1:] & (mass[1:] > 0)).any():
        reasons.append("specks")
    if faint.any():
        reasons.append("faint lines and shading")
    digit = kept[labels]
    rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    box = (int(rows[0]), int(cols[0]), int(rows[-1]), int(cols[-1]))
    marks = 1 + int((others & (mass >= MARK_SHARE * mass[main])).sum())
    touches = bool(on_border[kept].any())
    return PageFindings(digit, box, ink & ~digit, faint, marks, touches, reasons, threshold)


def _findings_picture(findings: PageFindings) -> np.ndarray:
    """RGB: the digit's ink white in its green box, left-out ink red, faint marks blue, on black."""
    h, w = findings.digit.shape
    rgb = np.zeros((h, w, 3), dtype=np.uint8)
    rgb[findings.faint] = (40, 80, 200)
    rgb[findings.left_out] = (220, 40, 40)
    rgb[findings.digit] = (255, 255, 255)
    top, left, bottom, right = findings.box
    line = max(1, round(max(h, w) / 150))
    green = (40, 200, 60)
    for r0, r1, c0, c1 in ((top, top + line, left, right + 1), (bottom + 1 - line, bottom + 1, left, right + 1),
                           (top, bottom + 1, left, left + line), (top, bottom + 1, right + 1 - line, right + 1)):
        rgb[max(0, r0) : r1, max(0, c0) : c1] = green
    return rgb


def round_half_up(x: float) -> int:
    """floor(x + 0.5): JavaScript's Math.round, not Python's round (which rounds halves to even), so the browser's
    copy of these steps (views/live/draw.js) lands on the same pixels."""
    return math.floor(x + 0.5)


def fit_into_box(ink: np.ndarray, box: int = BOX) -> np.ndarray:
    """Resize so the longer side is `box` (the other rounded, at least 1), Lanczos on float32, clipped to [0, 1]."""
    h, w = ink.shape
    s = box / max(h, w)
    size = (max(1, min(box, round_half_up(w * s))), max(1, min(box, round_half_up(h * s))))
    resized = Image.fromarray(ink.astype(np.float32)).resize(size, Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in pixels: twice the ink's area over its outline (the ink pixels with paper among their
    8 neighbours), ink being >= 0.5; exact for long strokes at least 3 pixels wide."""
    mask = ink >= 0.5
    inner = _running(_running(mask.astype(np.uint8), 3, 0, np.minimum), 3, 1, np.minimum) > 0
    outline = int((mask & ~inner).sum())
    return 2.0 * int(mask.sum()) / outline if outline else 0.0


def even_strokes(ink: np.ndarray) -> tuple[np.ndarray, float]:
    """The digit (fitted into STROKE_SCALE * BOX) with its strokes grown or thinned a pixel per side at a time
    (a 3 x 3 max or min) towards MNIST_STROKE, when they are outside STROKE_RANGE; and the width found.
    Thinning stops before it would take away more than half the ink, so a blob is not erased."""
    width = stroke_width(ink)
    low, high = STROKE_RANGE
    if width < low:
        for _ in range(max(1, round((MNIST_STROKE - width) / 2))):
            ink = _running(_running(ink, 3, 0, np.maximum), 3, 1, np.maximum)
    elif width > high:
        area = (ink >= 0.5).sum()
        for _ in range(round((width - MNIST_STROKE) / 2)):
            thinner = _running(_running(ink, 3, 0, np.minimum), 3, 1, np.minimum)
            if (thinner >= 0.5).sum() < area / 2:
                break
            ink = thinner
    return ink, width


def centre_by_mass(patch: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Place `patch` in a side x side field, shifted so its centre of mass lands at (side/2, side/2).

    Whole-pixel shifts keep the strokes sharp; the patch is kept entirely inside the field.
    """
    h, w = patch.shape
    p = patch.astype(np.float64)  # float64 sums, as the browser's copy adds them
    mass = p.sum()
    com_r = float((p.sum(1) * np.arange(h)).sum() / mass)
    com_c = float((p.sum(0) * np.arange(w)).sum() / mass)
    top = min(max(round_half_up(side / 2 - com_r), 0), side - h)
    left = min(max(round_half_up(side / 2 - com_c), 0), side - w)
    field = np.zeros((side, side), dtype=np.float32)
    field[top : top + h, left : left + w] = patch
    return field


def _digit_at_full_resolution(dark_ink: np.ndarray, paper: np.ndarray, digit: np.ndarray,
                              box: tuple[int, int, int, int]) -> np.ndarray:
    """The digit's darkness cut from the full-resolution picture (the page was analysed shrunk): the
    paper's light and the digit's mask, both found at working scale, are enlarged to the box's pixels."""
    full_h, full_w = dark_ink.shape
    h, w = paper.shape
    top, left, bottom, right = box
    r0, r1 = top * full_h // h, -(-(bottom + 1) * full_h // h)
    c0, c1 = left * full_w // w, -(-(right + 1) * full_w // w)
    size = (c1 - c0, r1 - r0)

    def enlarged(a: np.ndarray, resample: Image.Resampling) -> np.ndarray:
        part = Image.fromarray(a[top : bottom + 1, left : right + 1].astype(np.float32))
        return np.asarray(part.resize(size, resample), dtype=np.float32)

    darkness = np.clip(1.0 - dark_ink[r0:r1, c0:c1] / np.maximum(enlarged(paper, Image.Resampling.BILINEAR), 1e-3),
                       0.0, 1.0)
    return np.where(enlarged(digit, Image.Resampling.NEAREST) > 0.5, darkness, 0.0)


def to_mnist_style(image: Image.Image) -> PreprocessResult:
    """LeCun's MNIST recipe applied to a picture of one digit, after finding the digit on the page (paper's
    light divided out, desk, ruled lines and other marks left out); raises ImageInputError if there is no ink."""
    grey = grey_on_white(image)
    work = _working_scale(grey)
    light_paper = is_light_paper(work)
    steps = [("greyscale on white", _for_display(grey, 1.0 if light_paper else 0.0))]
    dark_ink = work if light_paper else 1.0 - work
    paper = paper_light(dark_ink)
    lit = f"{paper.min():.0%} to {paper.max():.0%}" if np.ptp(paper) > 0.05 else f"{float(np.median(paper)):.0%}"
    steps.append((f"{'light' if light_paper else 'dark'} paper found, lit {lit}", _for_display(paper, 1.0)))
    # Ink is what is darker than the paper around it: dividing by the paper's light removes gradients,
    # vignetting and shadows (a stroke in shadow is as dark, relative to its paper, as one in full light).
    darkness = np.clip(1.0 - dark_ink / np.maximum(paper, 1e-3), 0.0, 1.0)
    steps.append(("ink bright, the paper's light divided out", _for_display(darkness, 0.0)))
    if float(darkness.max()) < MIN_INK:
        raise ImageInputError(
            "No digit found: the picture is one flat shade with no strokes to read. "
            "Use a dark digit on a light background or a light digit on a dark one."
        )
    findings = find_digit(darkness)
    top, left, bottom, right = findings.box
    if max(bottom - top + 1, right - left + 1) < MIN_DIGIT_SHARE * max(darkness.shape):
        raise ImageInputError(
            "No digit found: only specks, nothing the size of a digit (paper grain, noise or shading). "
            "Photograph the digit from closer, so that it fills a good part of the picture."
        )
    left_out = f"; left out (red, faint in blue): {', '.join(findings.reasons)}" if findings.reasons else ""
    steps.append((f"digit's box found (green, the digit white){left_out}",
                  _for_display(_findings_picture(findings), 0.0)))

    # Paper is 0 and the digit's strongest stroke 1. The digit's ink is grown by a pixel, and the floor is
    # half the ink threshold, so the strokes keep their soft (anti-aliased) edges as in MNIST.
    around = _running(_running(findings.digit.astype(np.uint8), 3, 0, np.maximum), 3, 1, np.maximum) > 0
    ink = _digit_at_full_resolution(grey if light_paper else 1.0 - grey, paper, around, findings.box)
    floor = findings.threshold / 2
    cropped = np.clip((ink - floor) / (float(ink.max()) - floor), 0.0, 1.0)
    steps.append((f"cropped to the digit ({cropped.shape[1]} x {cropped.shape[0]})", _for_display(cropped, 0.0)))

    large = fit_into_box(cropped, STROKE_SCALE * BOX)
    # A tiny picture's strokes are a few blocky pixels, too coarse to measure: it is only fitted. So is a digit
    # whose strokes are already as wide as MNIST's, straight from the crop (one resampling, not two).
    evened, width = even_strokes(large) if max(cropped.shape) >= 2 * BOX else (large, 0.0)
    patch = fit_into_box(cropped if evened is large else evened)
    if patch.max() <= 0:  # a hairline can vanish when shrunk a hundredfold
        raise ImageInputError("No digit found: the strokes are too thin to survive shrinking to 20 x 20 pixels.")
    patch = patch / patch.max()  # the strongest stroke is full white, as in MNIST
    strokes = "" if evened is large else f", strokes {width / STROKE_SCALE:.1f} px wide made MNIST's"
    fitted = f"fitted into {BOX} x {BOX} ({patch.shape[1]} x {patch.shape[0]}){strokes}"
    steps.append((fitted, _for_display(patch, 0.0)))

    field = centre_by_mass(patch)
    picture = grey_to_uint8(field)
    steps.append((f"centred by mass in {SIDE} x {SIDE}", picture))
    # The model reads the 8-bit picture shown, like a real MNIST digit, and a link (format_picture) holds it exactly.
    return PreprocessResult(steps=steps, x=picture.reshape(-1).astype(np.float32) / 255.0, findings=findings,
                            wide=(right - left + 1) > WIDE * (bottom - top + 1))


def not_one_digit(result: PreprocessResult, elbo_share_below: float | None = None) -> str | None:
    """Why the picture does not look like one handwritten digit, for the user; None when it does.

    `elbo_share_below`: the share of the MNIST test digits whose ELBO is lower than this input's (how
    typical the model finds it). A likelihood alone rates simple pictures highly, so what the page
    analysis saw comes first: several separate marks, ink running off the picture, ink much wider than tall.
    """
    f = result.findings
    if f is None:
        return None
    if f.marks > 1:
        return (f"There are {f.marks} separate marks of similar size (a word, several digits?): only the "
                "largest is used. Photograph one digit alone.")
    if f.touches_border:
        return ("The ink runs into the edge of the picture: the digit may be cut off, or this is not a "
                "digit on a sheet. Leave some paper around the digit.")
    if result.wide:
        return "The ink is much wider than it is tall, like a word or a row of digits, not one digit."
    if elbo_share_below is not None and elbo_share_below < ATYPICAL_SHARE:
        return (f"The model finds this input less likely than {1 - elbo_share_below:.1%} of the MNIST test "
                "digits: it does not look like one handwritten digit to it.")
    return None
