"""AppTest checks of the Sample page: its controls redraw the grid, and a chosen draw becomes the current digit."""

from __future__ import annotations

import numpy as np
import pytest

from tests.apptest import (
    MODELS,
    assert_each_redraws,
    captions,
    current_digit,
    image_picture,
    image_url,
    loaded_model,
    mount_data,
    open_page,
    picture,
    send_trigger,
)
from vae_core.latent import prior_samples
from vae_core.render import decode_images, image_grid, outline_cell, to_uint8
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
    at.slider(key="sample_pick").set_value(5).run()
    at.button(key="sample_use").click().run()
    assert not at.exception
    lm = loaded_model(at)
    draw_seed = common.stream_seed("sample", 0, base=int(at.session_state[state_keys.SEED]))
    z = prior_samples(16, lm.latent_dim, temperature=0.7, seed=draw_seed)
    digit = current_digit(at)
    assert np.array_equal(to_uint8(digit.x), decode_images(lm.model, z[4]))  # the picture of draw #5
    assert digit.source.startswith("prior sample #5 (T = 0.7")


def test_the_grid_frames_the_chosen_draw_and_says_so() -> None:
    at = open_page("sample", "mnist-z20", sample_count="16")
    lm = loaded_model(at)
    draw_seed = common.stream_seed("sample", 0, base=int(at.session_state[state_keys.SEED]))
    grid = image_grid(decode_images(lm.model, prior_samples(16, lm.latent_dim, temperature=1.0, seed=draw_seed)), 4)
    for k in (1, 7):
        if k != 1:
            at.slider(key="sample_pick").set_value(k).run()
        shown = image_picture(at, "16 draws")
        assert shown.alt.endswith(f"sample #{k} framed")
        np.testing.assert_array_equal(np.asarray(picture(shown.src)), outline_cell(grid, k - 1, 4))
        assert mount_data(at, "live_sample_grid")["pick"] == "sample_pick"  # the live grid frames it too
        assert mount_data(at, "live_sample_pick")["sliders"][0]["value"] == k


def test_a_click_on_the_live_grid_is_a_release_of_sample_number() -> None:
    at = open_page("sample", "mnist-z20")
    send_trigger(at, "live_sample_pick", "release", {"sample_pick": 9})
    assert at.slider(key="sample_pick").value == 9
    assert image_picture(at, "16 draws").alt.endswith("sample #9 framed")
    assert at.query_params["sample_pick"] == "9"  # the link keeps it


def test_fewer_draws_than_the_chosen_number_choose_the_first() -> None:
    at = open_page("sample", "mnist-z20", sample_count="64")
    at.slider(key="sample_pick").set_value(40).run()
    at.selectbox(key="sample_count").set_value(16).run()
    assert at.slider(key="sample_pick").value == 1
    at.button(key="sample_use").click().run()
    assert not at.exception
    assert current_digit(at).source.startswith("prior sample #1 (")
