"""Model folders: `model.safetensors` (weights) + `card.json` (config, provenance, metrics).

A folder being trained also holds `metrics.jsonl` (one line per epoch) and
`train_state.safetensors` (what `--resume` needs beyond the weights: Adam's state and the
random states).

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
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from .model import VAE, VAEConfig

FORMAT = "vae-explorer/1"
WEIGHTS = "model.safetensors"
CARD = "card.json"
LATENTS = "latents.safetensors"
METRICS = "metrics.jsonl"
TRAIN_STATE = "train_state.safetensors"
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


def objective_of(card: dict[str, Any]) -> tuple[str, float]:
    """(objective, beta) the card's training used: "vae" or "ae" (vae_core.elbo.OBJECTIVES) and the KL weight;
    ("vae", 1.0), the ELBO, for cards from before the trainer had --objective."""
    args = card.get("training", {}).get("args", {})
    return str(args.get("objective", "vae")), float(args.get("beta", 1.0))


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
    model = VAE(config, point_code=objective_of(card)[0] == "ae")
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
    path = Path(folder) / METRICS
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut by a crash mid-write; the others still tell the story
    return rows


def append_metrics(folder: str | os.PathLike, row: dict[str, Any]) -> None:
    """Add one epoch's line to the training log."""
    with open(Path(folder) / METRICS, "a") as f:
        f.write(json.dumps(row) + "\n")


def truncate_metrics(folder: str | os.PathLike, epochs: int) -> None:
    """Keep the first `epochs` lines of the training log (none if it is missing): a resumed run
    rewrites the lines of epochs it repeats, e.g. one logged after the last saved train state."""
    path = Path(folder) / METRICS
    lines = path.read_text().splitlines() if path.exists() else []
    atomic_write_bytes(path, "".join(line + "\n" for line in lines[:epochs]).encode())


def save_train_state(
    folder: str | os.PathLike,
    model: torch.nn.Module,
    opt: torch.optim.Optimizer,
    generator: torch.Generator,
    epoch: int,
    wall_time_s: float,
) -> None:
    """Model, optimizer and both random states (the data generator's and torch's) after `epoch` epochs.

    The optimizer's per-parameter tensors are stored as `opt.{param}.{name}` and its param groups
    as JSON metadata, so the file is plain safetensors like the weights.
    """
    sd = opt.state_dict()
    tensors = {f"opt.{i}.{k}": torch.as_tensor(v) for i, s in sd["state"].items() for k, v in s.items()}
    tensors |= {f"model.{k}": v for k, v in model.state_dict().items()}
    tensors |= {"rng.data": generator.get_state(), "rng.torch": torch.get_rng_state()}
    meta = {"epoch": str(epoch), "wall_time_s": str(wall_time_s), "param_groups": json.dumps(sd["param_groups"])}
    atomic_save_tensors(tensors, Path(folder) / TRAIN_STATE, meta)


def load_train_state(
    folder: str | os.PathLike, model: torch.nn.Module, opt: torch.optim.Optimizer, generator: torch.Generator
) -> tuple[int, float]:
    """Restore what `save_train_state` wrote into model, opt, generator and torch's global random state;
    returns (completed epochs, wall time in seconds so far)."""
    path = Path(folder) / TRAIN_STATE
    device = next(model.parameters()).device
    tensors = load_file(str(path), device=str(device))
    with safe_open(str(path), "pt") as f:
        meta = f.metadata()
    model.load_state_dict({k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")})
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, v in tensors.items():
        if key.startswith("opt."):
            _, i, name = key.split(".", 2)
            state.setdefault(int(i), {})[name] = v
    opt.load_state_dict({"state": state, "param_groups": json.loads(meta["param_groups"])})
    generator.set_state(tensors["rng.data"].cpu())
    torch.set_rng_state(tensors["rng.torch"].cpu())
    return int(meta["epoch"]), float(meta["wall_time_s"])
