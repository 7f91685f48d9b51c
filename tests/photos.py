"""Generated phone photos of handwriting, for the preprocessing tests and benchmarks/bench_photos.py.

Nothing here is a stored picture: every photo is drawn from a seed. A glyph (ink in [0, 1], any size: an
upscaled UCI 8x8 digit, a digit handwritten here from pen strokes, or a shape) is written on paper, and the
photo varies as phones and writers do: the photo's size and shape, the pen (ballpoint to marker; black, blue,
red, green, pencil), the paper's tone, where the digit is and how large, focus blur, sensor noise, JPEG quality.
The defects a phone photo brings are laid over it: uneven light (a brightness gradient, vignetting, a soft
shadow), a dark desk along one or two sides, lined or squared paper of any spacing, the sheet tilted up to 12
degrees. Non-digits (a word, three digits in a row, a doodle, a blank sheet, a gradient) are drawn the same way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

PHOTO_SIZE = (640, 480)  # width, height: a phone photo shrunk; load_image decodes JPEGs near 512 px anyway
SIZES = ((640, 480), (480, 640), (800, 600), (600, 800), (1024, 768), (720, 720), (900, 1200))
DEFECTS = ("gradient", "vignetting", "shadow", "desk", "lines", "squares", "tilt")
# pen colour (RGB) and how fully it covers the paper (low, high): pencil is grey and never fully covers it
PENS = {"blue": ((35, 55, 150), (0.85, 1.0)), "black": ((28, 28, 34), (0.85, 1.0)),
        "light blue": ((60, 110, 205), (0.8, 0.95)), "red": ((190, 35, 45), (0.8, 0.95)),
        "green": ((30, 115, 60), (0.8, 0.95)), "pencil": ((80, 80, 88), (0.55, 0.8))}
PAPERS = ((246, 246, 243), (238, 236, 228), (242, 232, 200), (218, 215, 206))  # white, off-white, cream, recycled
NOT_DIGITS = ("word", "three_digits", "doodle", "blank", "gradient_only")


@dataclass(frozen=True, eq=False)
class Photo:
    name: str
    data: bytes  # a JPEG, as a phone gives it
    label: int | None  # the digit shown; None for a non-digit
    defects: tuple[str, ...] = field(default=())
    glyph: np.ndarray | None = None  # the ink written, before it was photographed


def glyph_from_uci(image8: np.ndarray, height: int, level: float = 0.45) -> np.ndarray:
    """A UCI 8x8 digit (0-16) as pen strokes `height` pixels tall: upscaled smoothly, then thresholded at
    `level` so the strokes have a pen's sharp edges instead of the 8x8 blur (a lower level: a wider pen)."""
    padded = np.pad(np.asarray(image8, dtype=np.float32), 1)  # the glyph's edges fade to paper, not cut off
    scaled = Image.fromarray((padded * (255 / 16)).astype(np.uint8))
    big = scaled.resize((height, height), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(height / 40))
    a = np.asarray(big, dtype=np.float32) / 255.0
    return np.clip((a - level) / 0.1, 0.0, 1.0)  # a soft edge about a pixel wide at the pen's outline


def glyph_from_mnist(image28: np.ndarray, height: int) -> np.ndarray:
    """An MNIST 28x28 digit (uint8) as pen strokes `height` pixels tall."""
    big = Image.fromarray(np.asarray(image28, dtype=np.float32) / 255.0).resize((height, height),
                                                                                 Image.Resampling.BICUBIC)
    return np.clip((np.asarray(big, dtype=np.float32) - 0.3) / 0.3, 0.0, 1.0)


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 24) -> list[tuple[float, float]]:
    """Points on an ellipse from angle a0 to a1 (degrees; 0 = right, 90 = down, so growing angles turn clockwise)."""
    t = np.radians(np.linspace(a0, a1, n))
    return [(cx + rx * float(np.cos(a)), cy + ry * float(np.sin(a))) for a in t]


# Each digit as a writer's pen strokes (polylines in a unit box, y down), in a few common ways of writing it.
STROKES: dict[int, list[list[list[tuple[float, float]]]]] = {
    0: [[_arc(0.5, 0.5, 0.3, 0.45, -100, 270)], [_arc(0.5, 0.5, 0.26, 0.46, -80, 290)]],
    1: [[[(0.5, 0.04), (0.5, 0.96)]], [[(0.38, 0.16), (0.55, 0.04), (0.5, 0.96)]],
        [[(0.4, 0.14), (0.55, 0.04), (0.52, 0.96)], [(0.35, 0.96), (0.7, 0.96)]]],
    2: [[_arc(0.5, 0.3, 0.27, 0.25, 200, 380) + [(0.2, 0.95), (0.82, 0.95)]],
        [_arc(0.48, 0.28, 0.28, 0.24, 190, 400) + [(0.35, 0.75), (0.2, 0.94), (0.5, 0.9), (0.85, 0.93)]]],
    3: [[_arc(0.48, 0.27, 0.27, 0.23, 200, 450) + _arc(0.48, 0.73, 0.3, 0.23, 270, 510)]],
    4: [[[(0.6, 0.04), (0.15, 0.65), (0.85, 0.65)], [(0.65, 0.35), (0.65, 0.96)]],
        [[(0.25, 0.04), (0.2, 0.58), (0.82, 0.58)], [(0.7, 0.04), (0.68, 0.96)]]],
    5: [[[(0.78, 0.05), (0.3, 0.05), (0.26, 0.45)], _arc(0.5, 0.68, 0.3, 0.27, 220, 500)[2:]],
        [[(0.3, 0.05), (0.26, 0.45), *_arc(0.5, 0.68, 0.3, 0.27, 230, 500)[2:]], [(0.3, 0.05), (0.8, 0.05)]]],
    6: [[[(0.72, 0.04), (0.5, 0.15), (0.3, 0.4), *_arc(0.5, 0.7, 0.26, 0.25, 180, 540)]]],
    7: [[[(0.18, 0.06), (0.82, 0.06), (0.4, 0.96)]],
        [[(0.18, 0.06), (0.82, 0.06), (0.42, 0.96)], [(0.35, 0.5), (0.78, 0.5)]]],
    8: [[_arc(0.5, 0.27, 0.22, 0.22, 0, 360), _arc(0.5, 0.71, 0.28, 0.25, -90, 270)],
        [_arc(0.5, 0.27, 0.23, 0.22, 90, 360) + _arc(0.5, 0.71, 0.28, 0.25, -90, 270)
         + _arc(0.5, 0.27, 0.23, 0.22, 0, 90)]],
    9: [[_arc(0.48, 0.3, 0.26, 0.25, 0, 360), [(0.74, 0.3), (0.7, 0.96)]],
        [[*_arc(0.48, 0.3, 0.26, 0.25, -20, 345), (0.74, 0.6), (0.62, 0.96)]]],
}


def handwritten_digit(label: int, height: int, rng: np.random.Generator, pen: float | None = None) -> np.ndarray:
    """`label` written by hand `height` pixels tall: one of STROKES' ways of writing it, slanted, narrowed or
    widened, turned a little, each stroke wobbling, with a pen from a fine ballpoint to a marker (`pen`: its width
    as a share of the height, random if None)."""
    strokes = STROKES[label][int(rng.integers(len(STROKES[label])))]
    slant, width, turn = rng.uniform(-0.1, 0.35), rng.uniform(0.7, 1.15), np.radians(rng.uniform(-6, 6))
    pen, wobble = height * (pen or rng.uniform(0.035, 0.13)), rng.uniform(0.0, 0.035)
    pad, ss = int(pen) + 4, 2  # drawn at twice the size, then shrunk: anti-aliased edges
    w, h = int(height * 1.3) + 2 * pad, height + 2 * pad
    im = Image.new("L", (w * ss, h * ss), 0)
    d = ImageDraw.Draw(im)
    line = max(1, round(pen * ss))
    for stroke in strokes:
        p = np.array(stroke, dtype=np.float64)
        p += rng.normal(0, wobble, p.shape).cumsum(0) * 0.3 + rng.normal(0, wobble, 2)
        y = p[:, 1] - 0.5
        x = (p[:, 0] - 0.5) * width - slant * y
        x, y = x * np.cos(turn) - y * np.sin(turn), x * np.sin(turn) + y * np.cos(turn)
        pts = [((w / 2 + a * height) * ss, (h / 2 + b * height) * ss) for a, b in zip(x, y)]
        d.line(pts, fill=255, width=line, joint="curve")
        for px, py in (pts[0], pts[-1]):  # round pen tips
            d.ellipse([px - line / 2, py - line / 2, px + line / 2, py + line / 2], fill=255)
    a = np.asarray(im.resize((w, h), Image.Resampling.BOX), dtype=np.float32) / 255.0
    rows, cols = np.nonzero(a > 0.05)
    return a[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


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
    """(H, W, 3) float paper: one of PAPERS' tones with a fine grain."""
    w, h = size
    tone = np.array(PAPERS[int(rng.integers(len(PAPERS)))], dtype=np.float32) + rng.uniform(-8, 6, 3)
    grain = np.asarray(Image.fromarray(rng.normal(0, 1, (h // 2, w // 2)).astype(np.float32)).resize(
        (w, h), Image.Resampling.BILINEAR), dtype=np.float32)
    return tone[None, None, :] * (1 + 0.015 * grain[..., None])


def _rulings(size: tuple[int, int], rng: np.random.Generator, squared: bool) -> np.ndarray:
    """(H, W) in [0, 1]: lines of a ruled (or squared) sheet, thin and pale, 4-11% of the photo's side apart."""
    w, h = size
    pitch = float(rng.uniform(0.04, 0.11) * min(w, h))
    im = Image.new("L", size, 0)
    d = ImageDraw.Draw(im)
    width = int(rng.integers(1, 3 if min(w, h) < 700 else 4))
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
    """The glyph in an (H, W) layer, anywhere at least 15% of the photo's side from its edges (where a desk may
    show), or in the middle if it is larger than that leaves room for."""
    w, h = size
    layer = np.zeros((h, w), dtype=np.float32)
    gh, gw = glyph.shape
    if gw > w - 20:  # a wide word or row: shrink to fit
        scale = (w - 40) / gw
        glyph = np.asarray(Image.fromarray(glyph).resize((int(gw * scale), max(1, int(gh * scale))),
                                                         Image.Resampling.BILINEAR))
        gh, gw = glyph.shape
    spare_h, spare_w = max(0.0, h * 0.7 - gh), max(0.0, w * 0.7 - gw)
    top = int(np.clip((h - gh) / 2 + rng.uniform(-0.5, 0.5) * spare_h, 0, h - gh))
    left = int(np.clip((w - gw) / 2 + rng.uniform(-0.5, 0.5) * spare_w, 0, w - gw))
    layer[top : top + gh, left : left + gw] = glyph
    return layer


def photograph(glyph: np.ndarray, rng: np.random.Generator, defects: tuple[str, ...], pen: str | None = None,
               size: tuple[int, int] = PHOTO_SIZE, quality: int | None = None) -> bytes:
    """A JPEG photo of `glyph` (ink in [0, 1]) written on paper, with each of `defects` applied; the pen (one of
    PENS, random if None), paper tone, position, focus blur, sensor noise and JPEG quality vary with `rng`."""
    w, h = size
    pen_colour, cover = PENS[pen or str(rng.choice(list(PENS)))]
    pen_colour = np.array(pen_colour, dtype=np.float32) + rng.uniform(-10, 10, 3)
    strength = float(rng.uniform(*cover))
    page = _paper(rng, size)
    blur = float(rng.uniform(0.3, 1.6)) * min(w, h) / 480
    noise = float(rng.uniform(0, 8))
    quality = quality or int(rng.integers(40, 95))
    ink = _place(glyph, size, rng) if glyph.size else np.zeros((h, w), dtype=np.float32)
    lines = np.zeros((h, w), dtype=np.float32)
    if "lines" in defects or "squares" in defects:
        lines = _rulings(size, rng, squared="squares" in defects)
    if "tilt" in defects:  # the sheet (digit and rulings together) turned on the desk
        angle = float(rng.uniform(3, 12) * rng.choice([-1, 1]))
        ink, lines = _rotate(ink, angle), _rotate(lines, angle)
    line_colour = np.array([150, 175, 215] if rng.random() < 0.6 else [165, 165, 165], dtype=np.float32)
    line_strength = float(rng.uniform(0.5, 0.9))
    page = page * (1 - line_strength * lines[..., None]) + line_colour * line_strength * lines[..., None]
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
    photo = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "RGB").filter(ImageFilter.GaussianBlur(blur))
    noisy = np.asarray(photo, dtype=np.float32) + rng.normal(0, noise, (h, w, 3)).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB").save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def random_defects(rng: np.random.Generator) -> tuple[str, ...]:
    """Two to four of the defects, at random (lined and squared paper never together)."""
    chosen = list(rng.choice(DEFECTS, size=int(rng.integers(2, 5)), replace=False))
    if "lines" in chosen and "squares" in chosen:
        chosen.remove("lines")
    return tuple(sorted(chosen))


def digit_photos(labels: np.ndarray, seed: int, with_defects: bool, images8: np.ndarray | None = None) -> list[Photo]:
    """One photo per label, clean or with random defects, of a random size and look (see `photograph`): the
    digit written by `handwritten_digit`, or, given `images8`, the matching UCI 8x8 digit with a random pen width.
    The digit is 20-65% of the photo's shorter side tall."""
    rng = np.random.default_rng(seed)
    photos = []
    for i, label in enumerate(labels):
        defects = random_defects(rng) if with_defects else ()
        size = SIZES[int(rng.integers(len(SIZES)))]
        height = int(rng.uniform(0.2, 0.65) * min(size))
        if images8 is None:
            glyph, source = handwritten_digit(int(label), height, rng), "hand"
        else:
            glyph, source = glyph_from_uci(images8[i], height, float(rng.uniform(0.35, 0.55))), "uci"
        pen = str(rng.choice(list(PENS)))
        photos.append(Photo(f"{source}{i}_{label}_{pen}_{'+'.join(defects) or 'clean'}",
                            photograph(glyph, rng, defects, pen, size), int(label), defects, glyph))
    return photos


def not_digit_photo(kind: str, rng: np.random.Generator, images8: np.ndarray | None = None) -> bytes:
    """A photo of something that is not one handwritten digit, with a random defect or two."""
    defects = tuple(d for d in ("gradient", "vignetting", "lines") if rng.random() < 0.3)
    pen = str(rng.choice(list(PENS)))
    h = PHOTO_SIZE[1]
    if kind == "word":
        word = str(rng.choice(["Hello, world!", "hello", "Name", "VAE", "test", "Photo", "Maths"]))
        glyph = _text_glyph(word, int(rng.uniform(0.15, 0.25) * h), rng)
    elif kind == "three_digits":  # handwritten here, or three of `images8`
        side = int(rng.uniform(0.22, 0.3) * h)
        gap = int(side * rng.uniform(0.1, 0.3))
        if images8 is None:
            digits = [handwritten_digit(int(d), side, rng) for d in rng.integers(0, 10, 3)]
        else:
            digits = [glyph_from_uci(images8[j], side) for j in rng.choice(len(images8), 3, replace=False)]
        glyph = np.zeros((max(d.shape[0] for d in digits), sum(d.shape[1] + gap for d in digits)), dtype=np.float32)
        left = 0
        for d in digits:
            glyph[: d.shape[0], left : left + d.shape[1]] = d
            left += d.shape[1] + gap
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
