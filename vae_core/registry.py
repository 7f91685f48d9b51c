"""The shipped models: find them, load them with their latent statistics, report broken ones."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .checkpoint import CARD, WEIGHTS, CheckpointError, load_latents, load_model, read_card
from .model import VAE

DEFAULT_PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"


def pretrained_dir() -> Path:
    """$VAE_PRETRAINED_DIR if set, else pretrained/; read at each call so tests and deployments can redirect it."""
    return Path(os.environ.get("VAE_PRETRAINED_DIR") or DEFAULT_PRETRAINED_DIR)


PRETRAINED_DIR = pretrained_dir()  # the folder at import time; list_models() reads the variable at call time


@dataclass
class ModelEntry:
    """One folder under pretrained/: what the picker shows, or why it cannot be used."""

    name: str
    path: Path
    latent_dim: int | None = None
    test_nll: float | None = None
    test_elbo: float | None = None
    error: str | None = None

    @property
    def label(self) -> str:
        if self.error:
            return f"{self.name} (unavailable)"
        nll = f", NLL {self.test_nll:.1f}" if self.test_nll is not None else ""
        return f"{self.name} (z={self.latent_dim}{nll})"


@dataclass
class LoadedModel:
    """A model ready for the views: network, card and precomputed latent statistics."""

    name: str
    model: VAE
    card: dict[str, Any]
    latents: dict[str, torch.Tensor] = field(default_factory=dict)

    @property
    def latent_dim(self) -> int:
        return self.model.config.latent_dim


def list_models(root: str | os.PathLike | None = None) -> list[ModelEntry]:
    """Every sub-folder holding a card or weights (default root: `pretrained_dir()`), sorted by latent size.

    Each folder is checked fully (card, weights' hash and shapes, latent statistics) by loading it,
    so a broken model is reported here rather than when picked; the models are small (~30 ms each).
    """
    root = pretrained_dir() if root is None else Path(root)
    entries = []
    for path in sorted(Path(root).iterdir()) if Path(root).is_dir() else []:
        if not path.is_dir() or not ((path / CARD).exists() or (path / WEIGHTS).exists()):
            continue
        entry = ModelEntry(path.name, path)
        try:
            card = read_card(path)
            entry.latent_dim = int(card["config"]["latent_dim"])
            metrics = card.get("metrics", {})
            entry.test_nll, entry.test_elbo = metrics.get("test_nll"), metrics.get("test_elbo")
            if not (path / WEIGHTS).is_file():
                raise CheckpointError(f"{path / WEIGHTS} is missing; re-download or retrain this model.")
            load(path)
        except (CheckpointError, KeyError, TypeError, ValueError, AttributeError) as e:
            entry.error = str(e) if isinstance(e, CheckpointError) else f"{path / CARD}: unusable config ({e})"
        entries.append(entry)
    return sorted(entries, key=lambda e: (e.error is not None, e.latent_dim or 0, e.name))


def load(path: str | os.PathLike) -> LoadedModel:
    """Load one model folder with its statistics; raises CheckpointError if anything is unusable."""
    path = Path(path)
    model, card = load_model(path)
    for p in model.parameters():
        p.requires_grad_(False)
    return LoadedModel(path.name, model, card, load_latents(path))
