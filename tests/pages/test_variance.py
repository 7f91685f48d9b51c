"""AppTest checks of the Variance perturbation page, and its grid of samples at scale zero."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.apptest import MODELS, assert_each_redraws, image_url, open_page
from vae_core.analysis import describe_digit
from vae_core.model import VAE, VAEConfig
from views import controls, state_keys
from views.pages import variance


@pytest.mark.parametrize("model", MODELS)
def test_variance_slider_and_resample_change_the_grid(model: str) -> None:
    at = open_page("variance", model)
    reconstruction = image_url(at, "mean reconstruction")
    assert_each_redraws(
        at, "16 decoded samples",
        lambda: at.slider(key="variance_scale").set_value(2.0).run(),
        lambda: at.button(key="variance_resample").click().run(),
    )
    assert image_url(at, "mean reconstruction") == reconstruction


def test_variance_grid_is_reproducible_from_the_seed() -> None:
    at = open_page("variance", "mnist-z20")
    at.button(key="variance_resample").click().run()
    first = image_url(at, "16 decoded samples")
    again = open_page("variance", "mnist-z20")
    again.button(key="variance_resample").click().run()
    assert image_url(again, "16 decoded samples") == first
    again.number_input(key=state_keys.SEED).set_value(3).run()
    assert image_url(again, "16 decoded samples") != first


@pytest.mark.parametrize("n", controls.SAMPLE_COUNTS)
def test_variance_grid_at_scale_zero_is_the_mean_reconstruction_in_every_cell(n: int) -> None:
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=20, hidden=(64,))).eval()
    x = torch.rand(784)
    report = describe_digit(model, x, n_samples=0, seed=5)
    grid = variance.variance_grid(model, report, 0.0, n, eps_seed=123)
    side, cell, pad = int(np.sqrt(n)), 28 + 2, 2
    assert grid.shape == (pad + side * cell, pad + side * cell)
    for i in range(side):
        for j in range(side):
            tile = grid[pad + i * cell : pad + i * cell + 28, pad + j * cell : pad + j * cell + 28]
            assert np.array_equal(tile, report.reconstruction), f"cell ({i}, {j})"
    assert not np.array_equal(variance.variance_grid(model, report, 1.0, n, eps_seed=123), grid)
