"""AppTest checks of the Sample page: its controls redraw the grid, and a chosen draw becomes the current digit."""

from __future__ import annotations

import numpy as np
import pytest

from tests.apptest import MODELS, assert_each_redraws, captions, current_digit, image_url, loaded_model, open_page
from vae_core.latent import prior_samples
from vae_core.render import decode_images, to_uint8
from views import common, state_keys


@pytest.mark.parametrize("model", MODELS)
def test_sample_temperature_and_new_draws_change_the_grid(model: str) -> None:
    at = open_page("sample", model)
    assert_each_redraws(
        at, "16 draws",
        lambda: at.slider(key="sample_temperature").set_value(0.5).run(),
        lambda: at.button(key="sample_new").click().run(),
    )
    at.selectbox(key="sample_count").set_value(36).run()
    image_url(at, "36 draws")  # asserts there is exactly one such grid
    assert not any(c.startswith("16 draws") for c in captions(at))  # it replaced the grid of 16


@pytest.mark.parametrize("model", MODELS)
def test_sample_k_becomes_the_current_digit(model: str) -> None:
    at = open_page("sample", model)
    at.slider(key="sample_temperature").set_value(0.7).run()
    at.number_input(key="sample_pick").set_value(5).run()
    at.button(key="sample_use").click().run()
    assert not at.exception
    lm = loaded_model(at)
    draw_seed = common.stream_seed("sample", 0, base=int(at.session_state[state_keys.SEED]))
    z = prior_samples(16, lm.latent_dim, temperature=0.7, seed=draw_seed)
    digit = current_digit(at)
    assert np.array_equal(to_uint8(digit.x), decode_images(lm.model, z[4]))  # the picture of draw #5
    assert digit.source.startswith("prior sample #5 (T = 0.7")
