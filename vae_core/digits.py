"""The 10,000 MNIST test digits, shipped inside the product so the app shows real handwriting.

    python -m vae_core.digits [--data-dir DIR]     # writes pretrained/mnist-test-digits.npz

The file holds `images` (10000, 28, 28) uint8 and `labels` (10000,) uint8, in the test set's
order, so index i is test digit i everywhere (the latent map, links, lessons). It is written
byte-for-byte reproducibly (fixed zip timestamps) and checked on load against
`TEST_DIGITS_SHA256`. MNIST (Y. LeCun, C. Cortes, C. J. C. Burges) is distributed under
CC BY-SA 3.0; the training images are never shipped.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .data import find_data_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_DIGITS_PATH = REPO_ROOT / "pretrained" / "mnist-test-digits.npz"
TEST_DIGITS_SHA256 = "cde96b8eabd8eebf818ae53bd513ad743daea58f8d9801f446cca4980d5dcfb0"
N_TEST = 10_000
_IMAGES_GZ, _LABELS_GZ = "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest zip date: no build time in the file, so its hash is stable


class DigitsFileError(RuntimeError):
    """The shipped test digits are missing or not the file this version expects; the message says what to do."""


@dataclass(frozen=True)
class MnistDigits:
    """The MNIST test set as uint8 pictures (N, 28, 28) and labels (N,)."""

    images: np.ndarray
    labels: np.ndarray

    def grey(self, index: int) -> np.ndarray:
        """Test digit `index` as the model's input: grey levels in [0, 1], float32, shape (784,)."""
        return self.images[index].reshape(-1).astype(np.float32) / 255.0

    def of_class(self, label: int) -> np.ndarray:
        """Indices of the test digits labelled `label`, in test-set order."""
        return np.flatnonzero(self.labels == label)


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (gzip-compressed) as a uint8 array of its declared shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = data[0:2], data[2], data[3]
    if zero != b"\0\0" or dtype != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            zf.writestr(entry, member.getvalue(), compresslevel=9)
    return buffer.getvalue()


def build(data_dir: str | Path | None = None, out: Path = TEST_DIGITS_PATH) -> str:
    """Write the test digits from an MNIST folder of .gz files to `out`; returns the file's SHA-256."""
    folder = find_data_dir(data_dir)
    if folder is None or not (folder / _IMAGES_GZ).is_file():
        raise FileNotFoundError(f"no {_IMAGES_GZ} in {data_dir or 'VAE_DATA_DIR or ../shared/mnist'}")
    images, labels = read_idx(folder / _IMAGES_GZ), read_idx(folder / _LABELS_GZ)
    if images.shape != (N_TEST, 28, 28) or labels.shape != (N_TEST,):
        raise ValueError(f"expected {N_TEST} test digits of 28 x 28, got {images.shape} and {labels.shape}")
    data = _npz_bytes({"images": images, "labels": labels})
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    return hashlib.sha256(data).hexdigest()


@cache
def load_test_digits(path: Path = TEST_DIGITS_PATH) -> MnistDigits:
    """The shipped test digits, checked against TEST_DIGITS_SHA256 (read once per process)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DigitsFileError(f"The MNIST test digits are missing ({path}): rebuild them with `make digits`.") from e
    if hashlib.sha256(data).hexdigest() != TEST_DIGITS_SHA256:
        raise DigitsFileError(f"{path} is not the expected file (SHA-256 differs): rebuild it with `make digits`.")
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return MnistDigits(npz["images"], npz["labels"])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m vae_core.digits", description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=None, help="MNIST .gz folder (default: $VAE_DATA_DIR, ../shared/mnist)")
    p.add_argument("--out", type=Path, default=TEST_DIGITS_PATH)
    args = p.parse_args(argv)
    digest = build(args.data_dir, args.out)
    status = "matches" if digest == TEST_DIGITS_SHA256 else "DIFFERS FROM"
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB), SHA-256 {digest} {status} TEST_DIGITS_SHA256")


if __name__ == "__main__":
    main()
