"""MNIST as in-memory tensors, read by torchvision's own loader with no network.

Where the data comes from, first match wins: an explicit folder (`--data-dir`), the
`VAE_DATA_DIR` variable, then `../shared/mnist` beside the repository. A folder may hold
the four standard `.gz` files (they are decompressed once into torchvision's
`MNIST/raw/` layout under a cache folder) or already be a torchvision root.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import torch

from .checkpoint import sha256_file

RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRS = (REPO_ROOT.parent / "shared" / "mnist",)
TEST_BINARIZATION_SEED = 0


def cache_dir() -> Path:
    """Where .gz files are decompressed; $VAE_CACHE_DIR is read at call time so tests can redirect it."""
    return Path(os.environ.get("VAE_CACHE_DIR", Path.home() / ".cache" / "vae-explorer"))


class DataNotFoundError(FileNotFoundError):
    """MNIST is not where we looked; the message says how to fix it."""


def _is_torchvision_root(folder: Path) -> bool:
    return all((folder / "MNIST" / "raw" / f).is_file() for f in RAW_FILES)


def _has_gz_files(folder: Path) -> bool:
    return all((folder / f"{f}.gz").is_file() for f in RAW_FILES)


def find_data_dir(data_dir: str | os.PathLike | None = None) -> Path | None:
    """The first folder holding MNIST (as .gz files or a torchvision root), or None."""
    candidates = [Path(data_dir)] if data_dir else []
    if not data_dir and os.environ.get("VAE_DATA_DIR"):
        candidates.append(Path(os.environ["VAE_DATA_DIR"]))
    if not candidates:
        candidates.extend(DEFAULT_DIRS)
    for folder in candidates:
        if _is_torchvision_root(folder) or _has_gz_files(folder):
            return folder
    return None


def prepare_mnist(data_dir: str | os.PathLike | None = None, download: bool = False) -> Path:
    """Return a torchvision root (a folder with MNIST/raw/) ready for `datasets.MNIST`."""
    folder = find_data_dir(data_dir)
    if folder is None:
        if download:
            from torchvision import datasets

            root = Path(data_dir) if data_dir else cache_dir()
            datasets.MNIST(root, train=True, download=True)
            datasets.MNIST(root, train=False, download=True)
            return root
        where = data_dir or os.environ.get("VAE_DATA_DIR") or DEFAULT_DIRS[0]
        raise DataNotFoundError(
            f"MNIST not found in {where}. Either point --data-dir (or the VAE_DATA_DIR variable) "
            f"at a folder holding the four files {', '.join(f + '.gz' for f in RAW_FILES)}, "
            "or pass --download to fetch them with torchvision (needs network)."
        )
    if _is_torchvision_root(folder):
        return folder
    root = cache_dir() / hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    raw = root / "MNIST" / "raw"
    if not _is_torchvision_root(root):
        raw.mkdir(parents=True, exist_ok=True)
        for name in RAW_FILES:
            tmp = raw / f"{name}.tmp{os.getpid()}"
            with gzip.open(folder / f"{name}.gz", "rb") as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst)
            tmp.replace(raw / name)
    return root


def data_fingerprint(root: Path) -> dict[str, str]:
    """SHA-256 of each decompressed IDX file: recorded in model cards."""
    return {name: sha256_file(root / "MNIST" / "raw" / name) for name in RAW_FILES}


@dataclass
class MNISTSplit:
    """Grey levels in [0, 1] as float32 (N, 784) and labels (N,)."""

    images: torch.Tensor
    labels: torch.Tensor

    def to(self, device: str | torch.device) -> MNISTSplit:
        return MNISTSplit(self.images.to(device), self.labels.to(device))


def load_mnist(train: bool, data_dir: str | os.PathLike | None = None, download: bool = False) -> MNISTSplit:
    """One whole split in memory; torchvision reads the IDX files, we skip its per-sample transforms."""
    from torchvision import datasets

    root = prepare_mnist(data_dir, download)
    ds = datasets.MNIST(root, train=train, download=False)
    images = ds.data.reshape(len(ds.data), -1).float().div_(255.0)
    return MNISTSplit(images, ds.targets.clone())


def binarize(grey: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """One Bernoulli sample of the grey levels (dynamic binarization)."""
    # u < p with u ~ U[0, 1) is Bernoulli(p) exactly, and 3-4x faster than torch.bernoulli on CPU.
    u = torch.rand(grey.shape, generator=generator, device=grey.device, dtype=grey.dtype)
    return (u < grey).to(grey.dtype)


def fixed_test_binarization(test: MNISTSplit) -> torch.Tensor:
    """The evaluation set: one binarization of the test digits with a fixed seed."""
    g = torch.Generator(device="cpu").manual_seed(TEST_BINARIZATION_SEED)
    return torch.bernoulli(test.images.cpu(), generator=g).to(test.images.device)
