"""The sidebar's current digit: real test digits by class, stepping through a class, class means on request,
and a clear fallback when the shipped test digits are missing."""

from __future__ import annotations

import numpy as np
import pytest

from tests.apptest import current_digit, is_decoded, loaded_model, open_page
from vae_core.digits import DigitsFileError, load_test_digits
from views import common


def test_a_class_button_gives_the_first_real_test_digit_of_that_class() -> None:
    at = open_page("reconstruct", "mnist-z2")
    at.sidebar.button(key="class_7").click().run()
    first_seven = int(load_test_digits().of_class(7)[0])
    digit = current_digit(at)
    assert (digit.test_index, digit.label, digit.source) == (first_seven, 7, f"test digit #{first_seven}, a 7")
    np.testing.assert_array_equal(digit.x, load_test_digits().grey(first_seven))


def test_next_and_previous_step_through_the_examples_of_the_class_and_wrap() -> None:
    sevens = load_test_digits().of_class(7)
    at = open_page("reconstruct", "mnist-z2")
    at.sidebar.button(key="class_7").click().run()
    at.sidebar.button(key="next_of_class").click().run()
    at.sidebar.button(key="next_of_class").click().run()
    assert current_digit(at).test_index == sevens[2]
    at.sidebar.button(key="previous_of_class").click().run()
    assert current_digit(at).test_index == sevens[1]
    at.sidebar.button(key="previous_of_class").click().run()
    at.sidebar.button(key="previous_of_class").click().run()
    assert current_digit(at).test_index == sevens[-1]  # before the first comes the last


def test_class_mean_mode_gives_the_decoded_mean_code() -> None:
    at = open_page("reconstruct", "mnist-z2", digit_kind="Class mean")
    at.sidebar.button(key="class_2").click().run()
    digit = current_digit(at)
    assert digit.test_index is None and digit.source == "mean code of class 2"
    assert is_decoded(digit.x, "mnist-z2", loaded_model(at).latents["class_centroids"][2])
    assert not [b for b in at.sidebar.button if b.key in ("next_of_class", "previous_of_class")]


def test_without_the_test_digits_the_app_says_why_and_uses_class_means(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise DigitsFileError("The MNIST test digits are missing (pretrained/mnist-test-digits.npz): rebuild them.")

    monkeypatch.setattr(common, "load_test_digits", missing)
    at = open_page("compare", "mnist-z2", digit="12")  # a link naming a test digit, too
    assert any("Real test digits are unavailable: The MNIST test digits are missing" in w.value
               for w in at.sidebar.warning)
    assert any("could not be read (the MNIST test digits are not available here)" in w.value for w in at.warning)
    assert current_digit(at).source == "mean code of class 4"
    at.sidebar.button(key="class_3").click().run()
    assert not at.exception and current_digit(at).source == "mean code of class 3"
    assert any("the decoded mean code of each class" in m.value for m in at.main.markdown)
