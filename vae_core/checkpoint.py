"""Model folders: `model.safetensors` (weights) + `card.json` (config, provenance, metrics).

Nothing here unpickles: weights are safetensors, everything else JSON. Every way a
folder can be unusable raises `CheckpointError` with the file and the fix in its message.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .model import VAE, VAEConfig

FORMAT = "vae-explorer/1"
WEIGHTS = "model.safetensors"
CARD = "card.json"
LATENTS = "latents.safetensors"
RETRAIN_HINT = "re-download the model folder or retrain it with `python -m vae_core.train --out {dir}`"


class CheckpointError(Exception):
    """A model folder that cannot be used; the message names the file and what to do."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file beside `path`, then rename: readers never see half a file."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_save_tensors(tensors: dict[str, torch.Tensor], path: Path, metadata: dict[str, str] | None = None) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(tmp), metadata=metadata)
    os.replace(tmp, path)


def write_card(folder: Path, card: dict[str, Any]) -> None:
    atomic_write_bytes(Path(folder) / CARD, (json.dumps(card, indent=2) + "\n").encode())


def save_model(folder: str | os.PathLike, model: VAE, card: dict[str, Any]) -> dict[str, Any]:
    """Write weights and card; the card gets the format, config and weights' SHA-256."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_save_tensors(model.state_dict(), folder / WEIGHTS)
    card = {**card, "format": FORMAT, "config": model.config.to_dict(), "weights_sha256": sha256_file(folder / WEIGHTS)}
    write_card(folder, card)
    return card


def read_card(folder: str | os.PathLike) -> dict[str, Any]:
    path = Path(folder) / CARD
    hint = RETRAIN_HINT.format(dir=folder)
    if not path.is_file():
        raise CheckpointError(f"{path} is missing: every model folder needs its card.json; {hint}.")
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path} is not valid JSON ({e}); {hint}.") from e
    if not isinstance(card, dict):
        raise CheckpointError(f"{path} should hold a JSON object; {hint}.")
    if card.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} has format {card.get('format')!r}, this code reads {FORMAT!r}; "
            f"use the code version that wrote it, or {hint}."
        )
    return card


def load_model(folder: str | os.PathLike, device: str | torch.device = "cpu") -> tuple[VAE, dict[str, Any]]:
    """Rebuild the model from a folder; raises CheckpointError for any unusable folder."""
    folder = Path(folder)
    hint = RETRAIN_HINT.format(dir=folder)
    card = read_card(folder)
    weights = folder / WEIGHTS
    if not weights.is_file():
        raise CheckpointError(f"{weights} is missing; {hint}.")
    try:
        config = VAEConfig.from_dict(card["config"])
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"{folder / CARD} has no usable 'config' ({e}); {hint}.") from e
    expected = card.get("weights_sha256")
    if expected and sha256_file(weights) != expected:
        raise CheckpointError(
            f"{weights} does not match the SHA-256 recorded in its card (changed or damaged); {hint}."
        )
    try:
        state = load_file(str(weights), device=str(device))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{weights} is not a readable safetensors file ({e}); {hint}.") from e
    model = VAE(config)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        first = str(e).strip().splitlines()
        raise CheckpointError(
            f"{weights} does not fit the config in {folder / CARD} ({first[-1] if first else e}); "
            f"the two files belong to different models; {hint}."
        ) from e
    return model.to(device).eval(), card


def load_latents(folder: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The latent statistics written by `python -m vae_core.stats`."""
    path = Path(folder) / LATENTS
    if not path.is_file():
        raise CheckpointError(f"{path} is missing; compute it with `python -m vae_core.stats {folder}`.")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(
            f"{path} is not a readable safetensors file ({e}); recompute it with `python -m vae_core.stats {folder}`."
        ) from e


def read_metrics(folder: str | os.PathLike) -> list[dict[str, Any]]:
    """The per-epoch training log (`metrics.jsonl`); empty if the folder has none."""
    path = Path(folder) / "metrics.jsonl"
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut by a crash mid-write; the others still tell the story
    return rows
