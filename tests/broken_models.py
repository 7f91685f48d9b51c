"""Broken model folders: every way a folder can be unusable, each made by breaking a good tiny model.

test_checkpoint.py checks the error each raises; the registry and app tests list and serve them all at once
(conftest's `good_and_broken_models`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.corpus import write_tiny_model
from vae_core.checkpoint import CARD, LATENTS, WEIGHTS

GOOD_MODEL = "good-z2"


def edit_card(folder: Path, change: Callable[[dict], None]) -> None:
    card = json.loads((folder / CARD).read_text())
    change(card)
    (folder / CARD).write_text(json.dumps(card))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    path.write_bytes(bytes(data))


def truncate_without_hash(folder: Path) -> None:
    edit_card(folder, lambda c: c.pop("weights_sha256"))
    truncate(folder / WEIGHTS)


# name -> (how to break a good folder, the file the message must name, a part of the message)
BREAKAGES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "missing-weights": (lambda f: (f / WEIGHTS).unlink(), WEIGHTS, "is missing"),
    "missing-card": (lambda f: (f / CARD).unlink(), CARD, "is missing"),
    "truncated-weights": (lambda f: truncate(f / WEIGHTS), WEIGHTS, "does not match the SHA-256"),
    "truncated-weights-no-hash": (truncate_without_hash, WEIGHTS, "is not a readable safetensors file"),
    "tampered-weights": (lambda f: flip_bytes(f / WEIGHTS), WEIGHTS, "does not match the SHA-256"),
    "malformed-card": (lambda f: (f / CARD).write_text('{"format": "vae-explorer/1", '), CARD, "is not valid JSON"),
    "card-not-an-object": (lambda f: (f / CARD).write_text("[1, 2]"), CARD, "should hold a JSON object"),
    "config-disagrees-with-weights": (
        lambda f: edit_card(f, lambda c: c["config"].update(latent_dim=3)), WEIGHTS, "does not fit the config"
    ),
    "unusable-config": (lambda f: edit_card(f, lambda c: c["config"].update(colour="red")), CARD, "no usable 'config'"),
    "unknown-format": (lambda f: edit_card(f, lambda c: c.update(format="vae-explorer/99")), CARD, "has format"),
}
LATENT_BREAKAGES: dict[str, Callable[[Path], None]] = {
    "missing-latents": lambda f: (f / LATENTS).unlink(),
    "truncated-latents": lambda f: truncate(f / LATENTS),
}


def write_good_and_broken_models(root: Path) -> Path:
    """In `root`: one good tiny model, GOOD_MODEL, and a folder broken-<name> for every breakage."""
    write_tiny_model(root / GOOD_MODEL)
    for name, (breaker, _, _) in BREAKAGES.items():
        breaker(write_tiny_model(root / f"broken-{name}"))
    for name, breaker in LATENT_BREAKAGES.items():
        breaker(write_tiny_model(root / f"broken-{name}"))
    return root


def broken_names(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("broken-"))
