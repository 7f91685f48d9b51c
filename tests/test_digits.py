"""The shipped MNIST test digits: the file the app reads is the test set, in order, and a bad file says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from vae_core import digits as digits_module
from vae_core.digits import TEST_DIGITS_PATH, DigitsFileError, build, load_test_digits, read_idx


def test_shipped_digits_are_the_mnist_test_set_in_order(mnist_dir: Path) -> None:
    shipped = load_test_digits()
    np.testing.assert_array_equal(shipped.images, read_idx(mnist_dir / "t10k-images-idx3-ubyte.gz"))
    np.testing.assert_array_equal(shipped.labels, read_idx(mnist_dir / "t10k-labels-idx1-ubyte.gz"))


def test_build_writes_the_same_bytes_twice(mnist_dir: Path, tmp_path: Path) -> None:
    assert build(mnist_dir, tmp_path / "a.npz") == build(mnist_dir, tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_grey_is_the_model_input_of_one_digit() -> None:
    digits = load_test_digits()
    x = digits.grey(0)
    assert x.shape == (784,) and x.dtype == np.float32
    np.testing.assert_allclose(x * 255, digits.images[0].reshape(-1))
    assert digits.labels[0] == 7  # the first MNIST test digit is a 7


def test_of_class_lists_only_that_class_in_order() -> None:
    digits = load_test_digits()
    fours = digits.of_class(4)
    assert len(fours) == 982 and np.all(np.diff(fours) > 0) and np.all(digits.labels[fours] == 4)


def test_a_missing_or_altered_file_raises_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DigitsFileError, match="missing.*make digits"):
        digits_module.load_test_digits.__wrapped__(tmp_path / "absent.npz")
    altered = tmp_path / "altered.npz"
    shutil.copy(TEST_DIGITS_PATH, altered)
    with altered.open("r+b") as f:
        f.seek(1000)
        f.write(b"\xff")
    with pytest.raises(DigitsFileError, match="SHA-256"):
        digits_module.load_test_digits.__wrapped__(altered)


def test_read_idx_refuses_a_file_that_is_not_unsigned_bytes(tmp_path: Path) -> None:
    import gzip

    bad = tmp_path / "bad.gz"
    bad.write_bytes(gzip.compress(b"\0\0\x0d\x01\0\0\0\x01abcd"))  # dtype 0x0D: float
    with pytest.raises(ValueError, match="unsigned-byte"):
        read_idx(bad)
