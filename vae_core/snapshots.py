"""Training replay: small snapshots of a model taken during training (see train.py --snapshot-epochs).

Each `snapshots/epoch-NNNN.safetensors` holds the decoder's weights (fp16) and the latent
means of the 10,000 test digits at that epoch: enough to redraw the latent map and the
manifold as they were.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from .checkpoint import CheckpointError, atomic_save_tensors
from .model import VAE, VAEConfig

SNAPSHOT_DIR = "snapshots"
_NAME = re.compile(r"epoch-(\d{4,})\.safetensors$")  # what snapshot_path writes


@dataclass
class Snapshot:
    epoch: int
    model: VAE  # only the decoder carries the snapshot's weights
    test_mu: torch.Tensor


def snapshot_path(folder: str | os.PathLike, epoch: int) -> Path:
    """Where the snapshot after `epoch` epochs of training lives in a model folder."""
    return Path(folder) / SNAPSHOT_DIR / f"epoch-{epoch:04d}.safetensors"


def save_snapshot(folder: str | os.PathLike, model: VAE, epoch: int, test_x: torch.Tensor) -> None:
    """A replay frame: decoder weights (fp16) and the test digits' latent means at this epoch."""
    path = snapshot_path(folder, epoch)
    path.parent.mkdir(exist_ok=True)
    with torch.inference_mode():
        mu = torch.cat([model.encode(xb).mu for xb in test_x.split(2000)])
    tensors = {f"decoder.{k}": v.half() for k, v in model.decoder.state_dict().items()}
    tensors["test_mu"] = mu.half()
    atomic_save_tensors(tensors, path, {"epoch": str(epoch)})


def snapshot_epochs(folder: str | os.PathLike) -> list[int]:
    """Epochs with a snapshot in this model folder, ascending."""
    d = Path(folder) / SNAPSHOT_DIR
    found = (_NAME.search(p.name) for p in d.iterdir()) if d.is_dir() else ()
    return sorted(int(m.group(1)) for m in found if m)


def load_snapshot(folder: str | os.PathLike, epoch: int, config: VAEConfig) -> Snapshot:
    """The snapshot saved after `epoch` epochs, as a model whose decoder is the one trained so far."""
    path = snapshot_path(folder, epoch)
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{path} cannot be read ({e}); retrain with --snapshot-epochs to recreate it.") from e
    model = VAE(config)
    decoder = {k.removeprefix("decoder."): v.float() for k, v in tensors.items() if k.startswith("decoder.")}
    try:
        model.decoder.load_state_dict(decoder)
    except RuntimeError as e:
        raise CheckpointError(f"{path} does not fit this model's config; retrain to recreate it.") from e
    model.eval().requires_grad_(False)
    return Snapshot(epoch, model, tensors["test_mu"].float())
