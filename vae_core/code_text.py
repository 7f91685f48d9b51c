"""Latent codes written as text, as in a shared link's `z=`: parsed with a reason when unusable, formatted short."""

from __future__ import annotations

import math

import torch

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
