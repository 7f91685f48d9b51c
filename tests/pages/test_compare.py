"""Compare latent sizes: every model reconstructs the same real test digits; the figures are explained and the
table says which runs were on a GPU."""

from __future__ import annotations

import numpy as np

from tests.apptest import current_digit, image_urls, open_page
from vae_core.analysis import reconstruct_batch
from vae_core.digits import load_test_digits
from vae_core.registry import PRETRAINED_DIR, load
from vae_core.render import image_grid, to_uint8
from views.pages import compare


def test_every_model_reconstructs_the_current_digit_and_a_real_test_digit_of_each_class() -> None:
    at = open_page("compare", "mnist-z2")
    digits = load_test_digits()
    examples, what = compare.class_examples(load(PRETRAINED_DIR / "mnist-z2"))
    assert what == "the first test digit of each class"
    np.testing.assert_array_equal(examples[3], digits.grey(int(digits.of_class(3)[0])))
    inputs = np.concatenate([current_digit(at).x.reshape(1, -1), examples])
    z2, z20 = load(PRETRAINED_DIR / "mnist-z2"), load(PRETRAINED_DIR / "mnist-z20")
    grid, reconstructions = compare.compute(current_digit(at).x, examples, [z2, z20])
    np.testing.assert_array_equal(grid, image_grid(to_uint8(inputs), nrow=11))
    np.testing.assert_array_equal(reconstructions[1], image_grid(reconstruct_batch(z20.model, inputs), nrow=11))
    shown = image_urls(at.main)
    assert len(shown) == 5  # the inputs and one row per shipped model
    assert any("then the first test digit of each class" in m.value for m in at.main.markdown)


def test_the_table_says_where_each_model_trained_and_what_its_figures_mean() -> None:
    at = open_page("compare", "mnist-z2")
    table = at.main.dataframe[0].value
    devices = dict(zip(table["model"], table["trained on"]))
    assert devices["mnist-z20"].startswith("CPU") and devices["mnist-z2"].startswith("GPU (NVIDIA")
    notes = " ".join(c.value for c in at.main.caption)
    assert "negative because it bounds log p(x)" in notes and "IW samples × digits" in notes
