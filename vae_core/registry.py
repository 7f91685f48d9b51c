"""The shipped models: find them, load them with their latent statistics, report broken ones."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch

from .checkpoint import CARD, LATENTS, WEIGHTS, CheckpointError, load_latents, load_model, objective_of, read_card
from .model import VAE

DEFAULT_PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"


def pretrained_dir() -> Path:
    """$VAE_PRETRAINED_DIR if set, else pretrained/; read at each call so tests and deployments can redirect it."""
    return Path(os.environ.get("VAE_PRETRAINED_DIR") or DEFAULT_PRETRAINED_DIR)


PRETRAINED_DIR = pretrained_dir()  # the folder at import time; list_models() reads the variable at call time


# The objectives lab (the Compare objectives page): models named after their objective, e.g. mnist-z20-ae,
# mnist-z20-beta4, listed after the VAEs in a group of their own.
LAB_NAME = re.compile(r"-(ae|beta[0-9.]+)$")
LAB_GROUP, VAE_GROUP = "objectives lab", "VAE"


def objective_name(objective: str, beta: float) -> str:
    """"autoencoder", "VAE" or "β-VAE (β = 4)": what a model with this objective is called."""
    if objective == "ae":
        return "autoencoder"
    return "VAE" if beta == 1.0 else f"β-VAE (β = {beta:g})"


# What reading an unusable folder raises: CheckpointError, or a card whose config has the wrong shape.
UNUSABLE = (CheckpointError, KeyError, TypeError, ValueError, AttributeError)


@dataclass
class ModelEntry:
    """One folder under pretrained/: what the picker shows, or why it cannot be used."""

    name: str
    path: Path
    latent_dim: int | None = None
    test_nll: float | None = None
    error: str | None = None
    objective: str = "vae"
    beta: float = 1.0

    @property
    def group(self) -> str:
        """The picker's group: the VAEs, or the objectives lab."""
        return LAB_GROUP if LAB_NAME.search(self.name) else VAE_GROUP

    @property
    def label(self) -> str:
        """The picker's caption: name, objective, latent size and test NLL, or that the model is unavailable."""
        if self.error:
            return f"{self.name} (unavailable)"
        nll = f", NLL {self.test_nll:.1f}" if self.test_nll is not None else ""
        kind = "" if self.group == VAE_GROUP else f"{objective_name(self.objective, self.beta)}, "
        return f"{self.name} ({kind}z={self.latent_dim}{nll})"


@dataclass
class LoadedModel:
    """A model ready for the views: network, card and precomputed latent statistics."""

    name: str
    model: VAE
    card: dict[str, Any]
    latents: dict[str, torch.Tensor] = field(default_factory=dict)

    @property
    def latent_dim(self) -> int:
        """D, the size of the latent code."""
        return self.model.config.latent_dim

    @property
    def objective(self) -> tuple[str, float]:
        """(objective, beta) it was trained with: ("vae", 1.0) for the ELBO, ("ae", ...) for an autoencoder."""
        return objective_of(self.card)

    @property
    def is_autoencoder(self) -> bool:
        """A plain autoencoder: its code is the encoder's mean alone, with no posterior variance and no KL."""
        return self.objective[0] == "ae"


def list_models(root: str | os.PathLike | None = None) -> list[ModelEntry]:
    """Every sub-folder holding a card or weights (default root: `pretrained_dir()`): the VAEs by latent size, then
    the objectives lab by latent size and KL weight (the autoencoder, weight 0, first).

    What the picker shows comes from the card. Whether the folder is usable (weights matching the card's
    SHA-256 and config, latent statistics readable) is checked by loading it once per version of its files,
    so a broken model is reported here rather than when picked, and listing again, as the app does every
    minute, costs a few stat calls rather than hashing and loading every model.
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
            entry.test_nll = card.get("metrics", {}).get("test_nll")
            entry.objective, entry.beta = objective_of(card)
            if not (path / WEIGHTS).is_file():
                raise CheckpointError(f"{path / WEIGHTS} is missing; re-download or retrain this model.")
            entry.error = _load_error(str(path), _files_version(path))
        except UNUSABLE as e:
            entry.error = _error_message(path, e)
        entries.append(entry)
    return sorted(entries, key=lambda e: (
        e.error is not None, e.group != VAE_GROUP, e.latent_dim or 0, 0.0 if e.objective == "ae" else e.beta, e.name
    ))


FileVersion = tuple[int, int, int] | None  # (inode, size, mtime in ns) of one file; None when it is missing


def _files_version(folder: Path) -> tuple[FileVersion, ...]:
    """What changes when any file `load` reads is written again: an atomic replace gives a new inode,
    an edit in place a new modification time."""
    versions = []
    for name in (CARD, WEIGHTS, LATENTS):
        try:
            s = (folder / name).stat()
            versions.append((s.st_ino, s.st_size, s.st_mtime_ns))
        except OSError:
            versions.append(None)
    return tuple(versions)


@lru_cache(maxsize=256)
def _load_error(folder: str, files_version: tuple[FileVersion, ...]) -> str | None:
    """Why the folder cannot be loaded, or None; remembered per version of its files (the argument that
    is not read here is the cache key)."""
    try:
        load(folder)
    except UNUSABLE as e:
        return _error_message(Path(folder), e)
    return None


def _error_message(folder: Path, e: Exception) -> str:
    return str(e) if isinstance(e, CheckpointError) else f"{folder / CARD}: unusable config ({e})"


def load(path: str | os.PathLike) -> LoadedModel:
    """Load one model folder with its statistics; raises CheckpointError if anything is unusable."""
    path = Path(path)
    model, card = load_model(path)
    for p in model.parameters():
        p.requires_grad_(False)
    return LoadedModel(path.name, model, card, load_latents(path))
