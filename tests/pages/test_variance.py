"""AppTest checks of the Variance perturbation page, and its grid of samples at scale zero; the live Resample
button and Samples choice of Variance and Sample."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tests.apptest import MODELS, assert_each_redraws, captions, image_url, mount_data, open_page, send_trigger
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


PAGES_WITH_DRAWS = pytest.mark.parametrize(("path", "button", "field"), [
    ("variance", "variance_resample", "eps"), ("sample", "sample_new", "spread")])


@PAGES_WITH_DRAWS
def test_the_live_grid_holds_the_next_draws_that_the_live_resample_button_moves_to(path: str, button: str,
                                                                                   field: str) -> None:
    """Variance's and Sample's live grids hold the next draw number's noise (their live Resample button shows it
    at once): the noise, and the caption's draw number, that the page mounts once the button's release has moved
    the draw there. A release past MAX_DRAW stops at it, where no next draw is held."""
    at = open_page(path, "mnist-z2")
    grid = mount_data(at, f"live_{path}_grid")
    held = grid["variants"][f"{path}_draws"]
    assert held["value"] == 0 and list(held["held"]) == ["1"] and grid["words"]["draw"] == "0"
    next_draws = held["held"]["1"]
    assert next_draws[field] != grid[field] and next_draws["words"]["draw"] == "1"
    send_trigger(at, f"live_{button}", "release", {f"{path}_draws": 1})
    assert at.number_input(key=f"{path}_draws").value == 1
    now = mount_data(at, f"live_{path}_grid")
    assert now[field] == next_draws[field] and now["words"] == next_draws["words"]
    assert any("(draw 1," in c for c in captions(at))  # the server's twin picture agrees
    send_trigger(at, f"live_{button}", "release", {f"{path}_draws": controls.MAX_DRAW + 5})
    assert at.number_input(key=f"{path}_draws").value == controls.MAX_DRAW
    assert mount_data(at, f"live_{path}_grid")["variants"][f"{path}_draws"]["held"] == {}


@PAGES_WITH_DRAWS
def test_the_live_grid_holds_each_other_number_of_draws_that_the_live_samples_choice_moves_to(
    path: str, button: str, field: str
) -> None:
    """The live grids also hold the draws, layout and words of each other number of draws (the live Samples
    choice shows them at once): what the page mounts once the choice's release has set that number. A number that
    is not one of the choices changes nothing."""
    at = open_page(path, "mnist-z2")
    held = mount_data(at, f"live_{path}_grid")["variants"][f"{path}_count"]
    assert held["value"] == 16 and sorted(map(int, held["held"])) == [c for c in controls.SAMPLE_COUNTS if c != 16]
    for count in (36, 64):
        send_trigger(at, f"live_{path}_count", "release", {f"{path}_count": count})
        assert at.selectbox(key=f"{path}_count").value == count
        now = mount_data(at, f"live_{path}_grid")
        assert (now["n"], now["nrow"]) == (count, math.isqrt(count)) and len(now[field]) == count * 2
        assert {k: now[k] for k in (field, "n", "nrow", "width", "words")} == held["held"][str(count)]
        assert any(c.startswith(f"{count} ") for c in captions(at))  # the server's twin picture agrees
        held = now["variants"][f"{path}_count"]
    send_trigger(at, f"live_{path}_count", "release", {f"{path}_count": 17})
    assert at.selectbox(key=f"{path}_count").value == 64
