"""Generated test inputs: picture files good and bad (made here, nothing downloaded), and a tiny model.

`corpus()` lists every case as an `InputCase`: the bytes a user could upload, the file name and MIME
type a browser would send, and what must happen: `error` is None for a usable digit, else a piece
of the exact message `vae_core.preprocess` must give. `reference` names the good case whose 28x28
result this one must closely match (the same '7' drawn another way), when there is one.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from vae_core.checkpoint import LATENTS, atomic_save_tensors, save_model
from vae_core.model import VAE, VAEConfig
from vae_core.stats import latent_statistics

NOT_AN_IMAGE = "not a picture in a format that works here"
NO_DIGIT = "No digit found"
DAMAGED = "damaged or incomplete"
TOO_MANY_PIXELS = "megapixels"
EMPTY = "The file is empty"
TOO_BIG = "the limit is 20 MB"
MIME = {"png": "image/png", "jpg": "image/jpeg", "bmp": "image/bmp", "gif": "image/gif", "webp": "image/webp"}


@dataclass(frozen=True)
class InputCase:
    name: str
    filename: str
    data: bytes
    error: str | None = None  # None: a usable digit; else a part of the message expected
    reference: str | None = None  # a good case the result must resemble

    @property
    def mime(self) -> str:
        return MIME.get(self.filename.rsplit(".", 1)[-1], "application/octet-stream")


def seven(size: tuple[int, int] = (200, 200), ink: int | tuple = 0, paper: int | tuple = 255, mode: str = "L",
          width: int = 14) -> Image.Image:
    """A '7': a top bar and a slanted stem; asymmetric, so a rotation or a mirror shows."""
    w, h = size
    im = Image.new(mode, size, paper)
    bar = [(0.25 * w, 0.2 * h), (0.75 * w, 0.2 * h)]
    stem = [(0.75 * w, 0.2 * h), (0.4 * w, 0.85 * h)]
    d = ImageDraw.Draw(im)
    d.line(bar, fill=ink, width=width)
    d.line(stem, fill=ink, width=width)
    return im


def encode(im: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A few dozen bytes whose header claims a huge 1-bit greyscale picture: a decompression bomb's shape."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def good_cases() -> list[InputCase]:
    ref = seven()
    rgba = seven(mode="RGBA", ink=(0, 0, 0, 255), paper=(0, 0, 0, 0))
    white_on_clear = seven(mode="RGBA", ink=(255, 255, 255, 255), paper=(255, 255, 255, 0))
    palette = seven(mode="P", ink=1, paper=0)
    # Palette entry 0 is black but transparent: ignoring transparency would turn the paper black.
    palette.putpalette([0, 0, 0, 20, 20, 120] + [0] * 762)
    sixteen = Image.fromarray((np.asarray(ref, dtype=np.uint16) * 257).astype(np.uint16))
    upright = seven(size=(200, 260))
    stored_turned = upright.transpose(Image.Transpose.ROTATE_90)  # EXIF orientation 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    noisy = np.asarray(seven(ink=70, paper=200), dtype=np.float64)
    noisy = noisy + np.random.default_rng(0).normal(0, 6, noisy.shape)
    wide = Image.new("L", (4000, 40), 255)
    ImageDraw.Draw(wide).line([(100, 20), (3900, 20)], fill=0, width=6)
    tall = Image.new("L", (40, 4000), 0)
    ImageDraw.Draw(tall).line([(20, 100), (20, 3900)], fill=255, width=6)
    page_with_corner_seven = Image.new("L", (600, 600), 255)
    page_with_corner_seven.paste(seven(size=(100, 100), width=7), (5, 5))
    second_frame = Image.new("L", ref.size, 255)
    ImageDraw.Draw(second_frame).rectangle([(20, 150), (180, 190)], fill=0)
    return [
        InputCase("png", "seven.png", encode(ref, "PNG")),
        InputCase("jpeg", "seven.jpg", encode(ref, "JPEG", quality=85), reference="png"),
        InputCase("bmp", "seven.bmp", encode(ref, "BMP"), reference="png"),
        InputCase("gif", "seven.gif", encode(ref, "GIF"), reference="png"),
        InputCase("webp", "seven.webp", encode(ref, "WEBP", quality=90), reference="png"),
        InputCase("rgb_png", "seven_rgb.png", encode(seven(mode="RGB", ink=(0, 0, 0), paper=(255, 255, 255)), "PNG"),
                  reference="png"),
        InputCase("rgba_transparent_background", "clear.png", encode(rgba, "PNG"), reference="png"),
        InputCase("white_ink_on_transparent", "white_on_clear.png", encode(white_on_clear, "PNG"), reference="png"),
        InputCase("palette_transparency", "palette.png", encode(palette, "PNG", transparency=0), reference="png"),
        InputCase("greyscale_16_bit", "sixteen.png", encode(sixteen, "PNG"), reference="png"),
        InputCase("cmyk_jpeg", "cmyk.jpg", encode(ref.convert("CMYK"), "JPEG", quality=90), reference="png"),
        InputCase("animated_gif_first_frame", "anim.gif",
                  encode(ref, "GIF", save_all=True, append_images=[second_frame], duration=100, loop=0),
                  reference="png"),
        InputCase("exif_rotated_jpeg", "turned.jpg", encode(stored_turned, "JPEG", quality=90, exif=exif.tobytes()),
                  reference="upright_jpeg"),
        InputCase("upright_jpeg", "upright.jpg", encode(upright, "JPEG", quality=90)),
        InputCase("light_ink_on_dark", "negative.png", encode(seven(ink=255, paper=0), "PNG"), reference="png"),
        InputCase("grey_noisy_scan", "scan.png", encode(Image.fromarray(noisy.clip(0, 255).astype(np.uint8)), "PNG"),
                  reference="png"),
        InputCase("small_digit_upscaled", "small.png", encode(seven(size=(14, 14), width=2), "PNG")),
        InputCase("digit_in_a_corner", "corner.png", encode(page_with_corner_seven, "PNG"), reference="png"),
        InputCase("very_wide_strip", "wide.png", encode(wide, "PNG")),
        InputCase("very_tall_strip", "tall.png", encode(tall, "PNG")),
    ]


def bad_cases() -> list[InputCase]:
    seven_png = encode(seven(), "PNG")
    seven_jpg = encode(seven(), "JPEG")
    compressible = encode(Image.new("1", (5000, 5000), 1), "PNG")  # 25 MP in ~12 kB
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="28" height="28">' \
          b'<path d="M4 4 H24 L10 26" stroke="black"/></svg>'
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return [
        InputCase("one_pixel", "dot.png", encode(Image.new("L", (1, 1), 0), "PNG"), NO_DIGIT),
        InputCase("all_white", "white.png", encode(Image.new("L", (64, 64), 255), "PNG"), NO_DIGIT),
        InputCase("all_black", "black.jpg", encode(Image.new("RGB", (64, 64), 0), "JPEG"), NO_DIGIT),
        InputCase("uniform_grey", "grey.bmp", encode(Image.new("L", (64, 64), 128), "BMP"), NO_DIGIT),
        InputCase("fully_transparent", "clear.png", encode(Image.new("RGBA", (64, 64), (0, 0, 0, 0)), "PNG"), NO_DIGIT),
        InputCase("truncated_png", "cut.png", seven_png[: len(seven_png) // 2], DAMAGED),
        InputCase("truncated_jpeg", "cut.jpg", seven_jpg[: len(seven_jpg) // 2], DAMAGED),
        InputCase("html_named_png", "page.png", b"<!doctype html><html><body><img src=x></body></html>", NOT_AN_IMAGE),
        InputCase("svg_named_png", "vector.png", svg, NOT_AN_IMAGE),
        InputCase("pdf_named_jpg", "scan.jpg", pdf, NOT_AN_IMAGE),
        InputCase("plain_text", "notes.png", b"just some text, no picture\n", NOT_AN_IMAGE),
        InputCase("tiff_named_png", "scan.png", encode(seven(), "TIFF"), NOT_AN_IMAGE),
        InputCase("empty_file", "empty.png", b"", EMPTY),
        InputCase("bomb_header_30000", "bomb.png", png_claiming(30000, 30000), TOO_MANY_PIXELS),
        InputCase("bomb_header_10000", "bomb10k.png", png_claiming(10000, 10000), TOO_MANY_PIXELS),
        InputCase("compressible_5000", "huge.png", compressible, "5000 x 5000 pixels"),
        InputCase("over_size_limit", "big.png", seven_png + b"\x00" * (20 * 2**20), TOO_BIG),
    ]


def corpus() -> list[InputCase]:
    return good_cases() + bad_cases()


def write_tiny_model(folder: Path, latent_dim: int = 2, seed: int = 0) -> Path:
    """A small random VAE saved like the shipped ones (weights, card, latent statistics)."""
    torch.manual_seed(seed)
    model = VAE(VAEConfig(latent_dim=latent_dim, hidden=(16,)))
    save_model(folder, model, {"metrics": {"test_nll": 543.2, "test_elbo": -550.0}})
    images = torch.rand(200, 784, generator=torch.Generator().manual_seed(seed))
    labels = torch.arange(200) % 10
    atomic_save_tensors(latent_statistics(model.eval(), images, labels), Path(folder) / LATENTS)
    return Path(folder)
