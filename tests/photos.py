"""Generated phone photos of handwriting, for the preprocessing tests and benchmarks/bench_photos.py.

Nothing here is a stored picture: every photo is drawn from a seed. A glyph (ink in [0, 1], any size: an
upscaled UCI 8x8 digit, or a shape drawn here) is written with a blue or black pen on textured paper, and
the defects a phone photo brings are laid over it: uneven light (a brightness gradient, vignetting, a soft
shadow), a dark desk along one or two sides, lined or squared paper, a tilted sheet, JPEG compression.
Non-digits (a word, three digits in a row, a doodle, a blank sheet, a gradient) are drawn the same way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

PHOTO_SIZE = (640, 480)  # width, height: a phone photo shrunk; load_image decodes JPEGs near 512 px anyway
DEFECTS = ("gradient", "vignetting", "shadow", "desk", "lines", "squares", "tilt")
PENS = {"blue": (35, 55, 150), "black": (28, 28, 34)}
NOT_DIGITS = ("word", "three_digits", "doodle", "blank", "gradient_only")


@dataclass(frozen=True)
class Photo:
    name: str
    data: bytes  # a JPEG, as a phone gives it
    label: int | None  # the digit shown; None for a non-digit
    defects: tuple[str, ...] = field(default=())


def glyph_from_uci(image8: np.ndarray, height: int) -> np.ndarray:
    """A UCI 8x8 digit (0-16) as pen strokes `height` pixels tall: upscaled smoothly, then thresholded so
    the strokes have a pen's sharp edges instead of the 8x8 blur."""
    padded = np.pad(np.asarray(image8, dtype=np.float32), 1)  # the glyph's edges fade to paper, not cut off
    level = Image.fromarray((padded * (255 / 16)).astype(np.uint8))
    big = level.resize((height, height), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(height / 40))
    a = np.asarray(big, dtype=np.float32) / 255.0
    return np.clip((a - 0.45) / 0.1, 0.0, 1.0)  # a soft edge about a pixel wide at the pen's outline


def glyph_from_mnist(image28: np.ndarray, height: int) -> np.ndarray:
    """An MNIST 28x28 digit (uint8) as pen strokes `height` pixels tall."""
    big = Image.fromarray(np.asarray(image28, dtype=np.float32) / 255.0).resize((height, height),
                                                                                 Image.Resampling.BICUBIC)
    return np.clip((np.asarray(big, dtype=np.float32) - 0.3) / 0.3, 0.0, 1.0)


def _text_glyph(text: str, height: int, rng: np.random.Generator) -> np.ndarray:
    font = ImageFont.load_default(size=height)
    left, top, right, bottom = font.getbbox(text)
    im = Image.new("L", (right - left + 8, bottom - top + 8), 0)
    ImageDraw.Draw(im).text((4 - left, 4 - top), text, fill=255, font=font, stroke_width=max(1, height // 18),
                            stroke_fill=255)
    return np.asarray(im, dtype=np.float32) / 255.0


def _doodle(height: int, rng: np.random.Generator) -> np.ndarray:
    """A scribble that is no digit: a star, a smiling face, a spiral, a house or a zigzag."""
    s = height
    im = Image.new("L", (s, s), 0)
    d = ImageDraw.Draw(im)
    w = max(2, s // 22)
    kind = int(rng.integers(5))
    if kind == 0:  # a five-pointed star drawn in one stroke
        pts = [(s / 2 + 0.45 * s * np.sin(a), s / 2 - 0.45 * s * np.cos(a)) for a in np.arange(6) * 4 * np.pi / 5]
        d.line(pts, fill=255, width=w, joint="curve")
    elif kind == 1:  # a smiling face: a circle, two eyes, a mouth
        d.ellipse([0.05 * s, 0.05 * s, 0.95 * s, 0.95 * s], outline=255, width=w)
        for x in (0.35, 0.65):
            d.ellipse([(x - 0.05) * s, 0.3 * s, (x + 0.05) * s, 0.42 * s], fill=255)
        d.arc([0.28 * s, 0.4 * s, 0.72 * s, 0.75 * s], 20, 160, fill=255, width=w)
    elif kind == 2:  # a spiral of three turns
        t = np.linspace(0, 6 * np.pi, 200)
        r = 0.45 * s * t / t[-1]
        d.line(list(zip(s / 2 + r * np.cos(t), s / 2 + r * np.sin(t))), fill=255, width=w, joint="curve")
    elif kind == 3:  # a house: a square, a roof, a door
        d.rectangle([0.15 * s, 0.45 * s, 0.85 * s, 0.95 * s], outline=255, width=w)
        d.line([(0.1 * s, 0.5 * s), (0.5 * s, 0.08 * s), (0.9 * s, 0.5 * s)], fill=255, width=w)
        d.rectangle([0.42 * s, 0.7 * s, 0.58 * s, 0.95 * s], outline=255, width=w)
    else:  # a zigzag with a loop at each end
        xs = np.linspace(0.1, 0.9, 7) * s
        ys = np.where(np.arange(7) % 2, 0.25, 0.75) * s
        d.line(list(zip(xs, ys)), fill=255, width=w, joint="curve")
        for x, y in ((xs[0], ys[0]), (xs[-1], ys[-1])):
            d.ellipse([x - 0.08 * s, y - 0.08 * s, x + 0.08 * s, y + 0.08 * s], outline=255, width=w)
    return np.asarray(im.filter(ImageFilter.GaussianBlur(0.7)), dtype=np.float32) / 255.0


def _paper(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """(H, W, 3) float paper: an off-white tone with a fine grain."""
    w, h = size
    tone = np.array([238, 236, 228], dtype=np.float32) + rng.uniform(-12, 8, 3)
    grain = np.asarray(Image.fromarray(rng.normal(0, 1, (h // 2, w // 2)).astype(np.float32)).resize(
        (w, h), Image.Resampling.BILINEAR), dtype=np.float32)
    return tone[None, None, :] * (1 + 0.015 * grain[..., None])


def _rulings(size: tuple[int, int], rng: np.random.Generator, squared: bool) -> np.ndarray:
    """(H, W) in [0, 1]: lines of a ruled (or squared) sheet, thin and pale."""
    w, h = size
    pitch = float(rng.uniform(22, 34))
    im = Image.new("L", size, 0)
    d = ImageDraw.Draw(im)
    width = int(rng.integers(1, 3))
    for y in np.arange(rng.uniform(0, pitch), h, pitch):
        d.line([(0, y), (w, y)], fill=255, width=width)
    if squared:
        for x in np.arange(rng.uniform(0, pitch), w, pitch):
            d.line([(x, 0), (x, h)], fill=255, width=width)
    return np.asarray(im, dtype=np.float32) / 255.0


def _rotate(a: np.ndarray, degrees: float) -> np.ndarray:
    return np.asarray(Image.fromarray(a.astype(np.float32)).rotate(degrees, Image.Resampling.BILINEAR),
                      dtype=np.float32)


def _place(glyph: np.ndarray, size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """The glyph in an (H, W) layer, near the middle of the photo."""
    w, h = size
    layer = np.zeros((h, w), dtype=np.float32)
    gh, gw = glyph.shape
    if gw > w - 20:  # a wide word or row: shrink to fit
        scale = (w - 40) / gw
        glyph = np.asarray(Image.fromarray(glyph).resize((int(gw * scale), max(1, int(gh * scale))),
                                                         Image.Resampling.BILINEAR))
        gh, gw = glyph.shape
    top = int(np.clip((h - gh) / 2 + rng.uniform(-0.08, 0.08) * h, 0, h - gh))
    left = int(np.clip((w - gw) / 2 + rng.uniform(-0.08, 0.08) * w, 0, w - gw))
    layer[top : top + gh, left : left + gw] = glyph
    return layer


def photograph(glyph: np.ndarray, rng: np.random.Generator, defects: tuple[str, ...], pen: str = "black",
               size: tuple[int, int] = PHOTO_SIZE, quality: int | None = None) -> bytes:
    """A JPEG photo of `glyph` (ink in [0, 1]) written on paper, with each of `defects` applied."""
    w, h = size
    ink = _place(glyph, size, rng) if glyph.size else np.zeros((h, w), dtype=np.float32)
    lines = np.zeros((h, w), dtype=np.float32)
    if "lines" in defects or "squares" in defects:
        lines = _rulings(size, rng, squared="squares" in defects)
    if "tilt" in defects:  # the sheet (digit and rulings together) turned on the desk
        angle = float(rng.uniform(4, 12) * rng.choice([-1, 1]))
        ink, lines = _rotate(ink, angle), _rotate(lines, angle)
    page = _paper(rng, size)
    line_colour = np.array([150, 175, 215] if rng.random() < 0.6 else [165, 165, 165], dtype=np.float32)
    page = page * (1 - 0.8 * lines[..., None]) + line_colour * 0.8 * lines[..., None]
    pen_colour = np.array(PENS[pen], dtype=np.float32) + rng.uniform(-10, 10, 3)
    strength = float(rng.uniform(0.85, 1.0))
    page = page * (1 - strength * ink[..., None]) + pen_colour * strength * ink[..., None]

    rows, cols = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = cols / w - 0.5, rows / h - 0.5
    light = np.ones((h, w), dtype=np.float32)
    if "gradient" in defects:
        a = rng.uniform(0, 2 * np.pi)
        t = (u * np.cos(a) + v * np.sin(a)) / 0.7 + 0.5  # about 0..1 across the photo
        light *= 1 - rng.uniform(0.3, 0.55) * np.clip(t, 0, 1)
    if "vignetting" in defects:
        light *= 1 - rng.uniform(0.3, 0.5) * np.clip((u**2 + v**2) / 0.5, 0, 1)
    if "shadow" in defects:  # a soft-edged shadow (a hand, a phone) across part of the sheet
        a = rng.uniform(0, 2 * np.pi)
        t = u * np.cos(a) + v * np.sin(a) - rng.uniform(0.0, 0.3)
        light *= 1 - rng.uniform(0.3, 0.45) * np.clip(t / rng.uniform(0.05, 0.15) + 0.5, 0, 1)
    page = page * light[..., None]
    if "desk" in defects:  # the sheet ends before the photo does: a dark desk along one or two sides
        desk = np.array([70, 52, 40] if rng.random() < 0.5 else [45, 45, 50], dtype=np.float32)
        desk = desk * (1 + 0.08 * rng.normal(0, 1, (h, w, 1)).astype(np.float32))
        sides = rng.choice(4, size=int(rng.integers(1, 3)), replace=False)
        mask = np.zeros((h, w), dtype=bool)
        for side in sides:
            depth = rng.uniform(0.05, 0.13)
            slope = rng.uniform(-0.05, 0.05)
            if side == 0:
                mask |= v < -0.5 + depth + slope * u
            elif side == 1:
                mask |= v > 0.5 - depth + slope * u
            elif side == 2:
                mask |= u < -0.5 + depth + slope * v
            else:
                mask |= u > 0.5 - depth + slope * v
        page = np.where(mask[..., None], desk, page)
    photo = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "RGB").filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    photo.save(buf, format="JPEG", quality=quality or int(rng.integers(60, 92)))
    return buf.getvalue()


def random_defects(rng: np.random.Generator) -> tuple[str, ...]:
    """Two to four of the defects, at random (lined and squared paper never together)."""
    chosen = list(rng.choice(DEFECTS, size=int(rng.integers(2, 5)), replace=False))
    if "lines" in chosen and "squares" in chosen:
        chosen.remove("lines")
    return tuple(sorted(chosen))


def digit_photos(images8: np.ndarray, labels: np.ndarray, seed: int, with_defects: bool) -> list[Photo]:
    """One photo per UCI digit: clean (paper, pen, JPEG) or with random defects."""
    rng = np.random.default_rng(seed)
    photos = []
    for i, (image8, label) in enumerate(zip(images8, labels)):
        defects = random_defects(rng) if with_defects else ()
        glyph = glyph_from_uci(image8, int(rng.uniform(0.38, 0.55) * PHOTO_SIZE[1]))
        pen = "blue" if rng.random() < 0.5 else "black"
        photos.append(Photo(f"uci{i}_{label}_{pen}_{'+'.join(defects) or 'clean'}",
                            photograph(glyph, rng, defects, pen), int(label), defects))
    return photos


def not_digit_photo(kind: str, rng: np.random.Generator, images8: np.ndarray | None = None) -> bytes:
    """A photo of something that is not one handwritten digit, with a random defect or two."""
    defects = tuple(d for d in ("gradient", "vignetting", "lines") if rng.random() < 0.3)
    pen = "blue" if rng.random() < 0.5 else "black"
    h = PHOTO_SIZE[1]
    if kind == "word":
        word = str(rng.choice(["Hello, world!", "hello", "Name", "VAE", "test", "Photo", "Maths"]))
        glyph = _text_glyph(word, int(rng.uniform(0.15, 0.25) * h), rng)
    elif kind == "three_digits":
        if images8 is None:
            glyph = _text_glyph(str(rng.integers(100, 1000)), int(0.3 * h), rng)
        else:
            picks = rng.choice(len(images8), 3, replace=False)
            side = int(rng.uniform(0.22, 0.3) * h)
            gap = int(side * rng.uniform(0.1, 0.3))
            glyph = np.zeros((side, 3 * side + 2 * gap), dtype=np.float32)
            for k, j in enumerate(picks):
                glyph[:, k * (side + gap) : k * (side + gap) + side] = glyph_from_uci(images8[j], side)
    elif kind == "doodle":
        glyph = _doodle(int(rng.uniform(0.4, 0.6) * h), rng)
    elif kind == "blank":
        glyph = np.zeros((0, 0), dtype=np.float32)
    elif kind == "gradient_only":
        glyph = np.zeros((0, 0), dtype=np.float32)
        defects = ("gradient", "vignetting")
    else:
        raise ValueError(f"unknown kind of non-digit: {kind}")
    return photograph(glyph, rng, defects, pen)


def not_digit_photos(seed: int, per_kind: int, images8: np.ndarray | None = None) -> list[Photo]:
    rng = np.random.default_rng(seed)
    return [Photo(f"{kind}{i}", not_digit_photo(kind, rng, images8), None)
            for kind in NOT_DIGITS for i in range(per_kind)]
