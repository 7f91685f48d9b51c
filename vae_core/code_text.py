"""Digits written as text for a shared link: a latent code (`z=`) or a 28 x 28 picture (`px=`), each parsed with
a reason when unusable and formatted short."""

from __future__ import annotations

import base64
import binascii
import math
import re
import zlib

import numpy as np
import torch

PICTURE_PIXELS = 28 * 28

CODE_LIMIT = 10.0  # |z| beyond this is nowhere near the prior N(0, I): refuse it rather than decode nonsense


def parse_code(text: str, latent_dim: int) -> torch.Tensor:
    """A latent code from comma-separated numbers (as in a shared link's `z=`); raises ValueError saying why
    when it is not exactly `latent_dim` finite numbers within [-CODE_LIMIT, CODE_LIMIT]."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != latent_dim:
        raise ValueError(f"expected {latent_dim} numbers, got {len(parts)}")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError("not all entries are numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError("not all entries are finite")
    if any(abs(v) > CODE_LIMIT for v in values):
        raise ValueError(f"entries must lie within [-{CODE_LIMIT:g}, {CODE_LIMIT:g}]")
    return torch.tensor(values, dtype=torch.float32)


def format_code(z: torch.Tensor, decimals: int = 4) -> str:
    """A code as comma-separated numbers rounded to `decimals` (parse_code reads it back)."""
    texts = (f"{v:.{decimals}f}".rstrip("0").rstrip(".") for v in z.reshape(-1).tolist())
    return ",".join("0" if t in ("", "-0") else t for t in texts)


def format_picture(x: np.ndarray) -> str:
    """A picture of 784 grey levels in [0, 1], at 8 bits, deflated and base64url-encoded (a few hundred characters
    for a digit). Exact for pictures already at 8 bits (x * 255 whole numbers): parse_picture gives x back."""
    levels = np.clip(np.rint(np.asarray(x, dtype=np.float64).reshape(-1) * 255), 0, 255).astype(np.uint8)
    if levels.size != PICTURE_PIXELS:
        raise ValueError(f"expected {PICTURE_PIXELS} grey levels, got {levels.size}")
    return base64.urlsafe_b64encode(zlib.compress(levels.tobytes(), 9)).decode().rstrip("=")


def parse_picture(text: str) -> np.ndarray:
    """The picture (784,) float32 in [0, 1] of format_picture's text; raises ValueError saying why it is unusable."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", text):
        raise ValueError("not base64url text")
    text = text.rstrip("=")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        raise ValueError("not base64url text") from None
    inflate = zlib.decompressobj()
    try:
        levels = inflate.decompress(packed, PICTURE_PIXELS + 1)  # never inflates more than a picture's worth
    except zlib.error:
        raise ValueError("not a compressed picture") from None
    if len(levels) != PICTURE_PIXELS or not inflate.eof:
        raise ValueError(f"expected {PICTURE_PIXELS} grey levels")
    return np.frombuffer(levels, np.uint8).astype(np.float32) / 255.0
