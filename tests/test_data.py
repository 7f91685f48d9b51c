"""MNIST on disk: finding it, preparing torchvision's layout from the .gz files, loading it whole."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
import torch

from vae_core import data
from vae_core.data import (
    RAW_FILES,
    DataNotFoundError,
    data_fingerprint,
    find_data_dir,
    fixed_test_binarization,
    load_mnist,
    prepare_mnist,
)

# SHA-256 of the decompressed IDX files (as in ../shared/mnist/SHA256SUMS).
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


def _fake_gz_folder(folder: Path) -> Path:
    """Files with the right names (find_data_dir looks only at names)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in RAW_FILES:
        (folder / f"{name}.gz").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def mnist_root(mnist_dir: Path, cache: Path) -> Path:
    """A torchvision root prepared once for this module, in a private cache folder ($VAE_CACHE_DIR)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VAE_CACHE_DIR", str(cache))
        return prepare_mnist(mnist_dir)


@pytest.fixture(scope="module")
def test_split(mnist_root: Path) -> data.MNISTSplit:
    return load_mnist(False, mnist_root)


# --- without MNIST ---------------------------------------------------------------------------------------


def test_missing_data_raises_an_error_naming_the_folder_and_both_fixes(tmp_path: Path):
    empty = tmp_path / "no-mnist-here"
    empty.mkdir()
    with pytest.raises(DataNotFoundError) as info:
        prepare_mnist(empty)
    message = str(info.value)
    assert str(empty) in message
    assert "--data-dir" in message and "VAE_DATA_DIR" in message
    assert "--download" in message


def test_a_folder_with_only_some_files_is_not_mnist(tmp_path: Path):
    folder = _fake_gz_folder(tmp_path / "partial")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    assert find_data_dir(folder) is None
    with pytest.raises(DataNotFoundError, match="partial"):
        load_mnist(False, folder)


def test_missing_data_from_vae_data_dir_names_that_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VAE_DATA_DIR", str(tmp_path / "elsewhere"))
    with pytest.raises(DataNotFoundError, match="elsewhere"):
        prepare_mnist()


def test_find_data_dir_prefers_the_argument_then_vae_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    explicit, from_env = _fake_gz_folder(tmp_path / "explicit"), _fake_gz_folder(tmp_path / "env")
    monkeypatch.setenv("VAE_DATA_DIR", str(from_env))
    assert find_data_dir(explicit) == explicit
    assert find_data_dir() == from_env
    assert find_data_dir(tmp_path / "empty") is None  # an explicit folder is not silently replaced


def test_cache_dir_is_read_when_called(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path))
    assert data.cache_dir() == tmp_path


def test_prepared_cache_lives_under_vae_cache_dir_not_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A tiny fake .gz folder is enough to see where prepare_mnist writes."""
    folder = tmp_path / "gz"
    folder.mkdir()
    for name in RAW_FILES:
        with gzip.open(folder / f"{name}.gz", "wb") as f:
            f.write(name.encode())
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    root = prepare_mnist(folder)
    assert root.parent == tmp_path / "cache"
    assert (root / "MNIST" / "raw" / RAW_FILES[0]).read_bytes() == RAW_FILES[0].encode()
    assert not any(name.startswith(".") or ".tmp" in name for name in os.listdir(root / "MNIST" / "raw"))


# --- with MNIST ------------------------------------------------------------------------------------------


@pytest.mark.mnist
def test_prepare_mnist_builds_torchvision_raw_layout_in_the_cache(
    mnist_dir: Path, mnist_root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
):
    from torchvision import datasets

    raw = mnist_root / "MNIST" / "raw"
    if not data._is_torchvision_root(mnist_dir):  # the usual case: a folder of .gz files
        assert mnist_root.parent == cache
        assert sorted(p.name for p in raw.iterdir()) == sorted(RAW_FILES)  # no temp files left
    ds = datasets.MNIST(mnist_root, train=False, download=False)
    assert len(ds) == 10_000
    mtimes = {p: p.stat().st_mtime_ns for p in raw.iterdir()}
    monkeypatch.setenv("VAE_CACHE_DIR", str(cache))
    assert prepare_mnist(mnist_dir) == mnist_root  # a second call reuses the prepared files
    assert {p: p.stat().st_mtime_ns for p in raw.iterdir()} == mtimes


@pytest.mark.mnist
def test_prepare_mnist_returns_a_torchvision_root_as_is(mnist_root: Path):
    assert prepare_mnist(mnist_root) == mnist_root


@pytest.mark.mnist
def test_load_mnist_gives_60000_train_images_in_unit_range_with_10_classes(mnist_root: Path):
    train = load_mnist(True, mnist_root)
    assert train.images.shape == (60_000, 784) and train.images.dtype == torch.float32
    assert train.images.min() == 0.0 and train.images.max() == 1.0
    assert train.labels.shape == (60_000,)
    assert sorted(train.labels.unique().tolist()) == list(range(10))


@pytest.mark.mnist
def test_load_mnist_test_split_has_10000_images(test_split: data.MNISTSplit):
    assert test_split.images.shape == (10_000, 784)
    assert test_split.labels.bincount().tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.mnist
def test_fixed_test_binarization_is_binary_and_the_same_every_time(test_split: data.MNISTSplit):
    torch.manual_seed(123)  # the global RNG must not matter
    a = fixed_test_binarization(test_split)
    torch.manual_seed(456)
    b = fixed_test_binarization(test_split)
    assert torch.equal(a, b)
    assert a.shape == test_split.images.shape
    assert set(a.unique().tolist()) == {0.0, 1.0}
    assert torch.equal(a[test_split.images == 0], torch.zeros_like(a[test_split.images == 0]))  # no ink from nothing
    # a Bernoulli sample of the grey levels: about as much ink as the grey levels say
    assert a.mean().item() == pytest.approx(test_split.images.mean().item(), abs=0.002)


@pytest.mark.mnist
def test_data_fingerprint_matches_the_published_sha256(mnist_dir: Path, mnist_root: Path):
    fingerprint = data_fingerprint(mnist_root)
    assert fingerprint == MNIST_SHA256
    sums = mnist_dir / "SHA256SUMS"
    if sums.is_file():
        listed = dict(reversed(line.split()) for line in sums.read_text().splitlines() if line.strip())
        assert listed == fingerprint


def test_binarize_draws_zeros_and_ones_with_the_grey_level_as_probability():
    grey = torch.tensor([0.0, 0.1, 0.5, 0.9, 1.0]).expand(40000, 5)
    x = data.binarize(grey, torch.Generator().manual_seed(0))
    assert x.dtype == grey.dtype and set(x.unique().tolist()) <= {0.0, 1.0}
    torch.testing.assert_close(x.mean(0), torch.tensor([0.0, 0.1, 0.5, 0.9, 1.0]), atol=0.01, rtol=0)
    again = data.binarize(grey, torch.Generator().manual_seed(0))
    assert torch.equal(x, again)  # the generator fixes the draw
