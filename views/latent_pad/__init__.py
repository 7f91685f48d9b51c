"""The latent pad: a component that decodes in the browser while the pointer drags over two latent dimensions.

Why `st.components.v2` rather than v1's `declare_component`: v2 mounts the HTML and JS inline (no iframe,
no streamlit-component-lib protocol to rewrite by hand without npm), takes raw bytes as data (the weights
travel as binary float32, not as a third larger base64 string inside JSON), and has trigger values, which fit
a one-off "released at z" event (a v1 component value persists and would need de-duplicating).

Transport: the weights (2.7 MB for hidden sizes (512, 512)) go in a mount of their own whose bytes change only
with the model, so Streamlit's message cache sends them once and afterwards only a hash reference; the pad's
own mount carries small JSON (mu, dims, range) that changes freely. Dragging never talks to Python.
"""

from __future__ import annotations

import functools
import json
import struct
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from vae_core.export import decoder_export
from vae_core.model import VAE

HERE = Path(__file__).resolve().parent
MAGIC = b"VAEd"  # pad.js checks it before reading the weights

_pad = st.components.v2.component(
    "latent_pad",
    html=(HERE / "pad.html").read_text(encoding="utf-8"),
    css=(HERE / "pad.css").read_text(encoding="utf-8"),
    js=(HERE / "pad.js").read_text(encoding="utf-8"),
)


@functools.lru_cache(maxsize=4)  # per model object; loaded models are cached objects, so this runs once per model
def weights_message(model: VAE) -> tuple[str, bytes]:
    """(sha1, bytes) for pad.js: MAGIC, uint32 header length, JSON header padded to 4 bytes, float32 payload."""
    export = decoder_export(model)
    header = json.dumps({k: export[k] for k in ("activation", "latent_dim", "layers", "sha1")}).encode()
    header += b" " * (-(len(MAGIC) + 4 + len(header)) % 4)  # the payload starts 4-byte aligned
    return export["sha1"], MAGIC + struct.pack("<I", len(header)) + header + export["payload"]


def _ignore() -> None:
    """Trigger values reach Python only for events with a callback; the page acts on the returned value."""


def latent_pad(
    model: VAE, base: Sequence[float], dims: tuple[int, int], z_range: tuple[float, float], key: str = "latent_pad"
) -> list[float] | None:
    """Show the pad over `dims` (x, y) spanning `z_range`, other dimensions at `base` (marked on the pad).

    Returns the full code z where the pointer was released, in the run that follows the release; else None.
    """
    sha1, message = weights_message(model)
    _pad(key=f"{key}_weights", data=message)
    data = {"model": sha1, "base": [float(v) for v in base], "dims": [int(d) for d in dims], "range": list(z_range)}
    return _pad(key=key, data=data, on_release_change=_ignore).release
