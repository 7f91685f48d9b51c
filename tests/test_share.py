"""A shared link opens on exactly its view (model, seed, digit code, a page's sliders), and the current digit
is written back into the URL; a malformed digit code is reported, not fatal. The app runs on the shipped models."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from tests.apptest import current_digit, loaded_model, open_page
from vae_core.code_text import parse_code
from vae_core.registry import PRETRAINED_DIR, load
from vae_core.render import decode_probs
from views import share, state_keys

Z2 = "mnist-z2"


def param(at: AppTest, key: str) -> str | None:
    """A query parameter of the app's URL as the browser would show it (None when absent)."""
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def test_link_opens_on_its_model_seed_and_digit_code() -> None:
    at = open_page("reconstruct", Z2, seed="7", z="0.5,-1.0")
    assert at.session_state[state_keys.MODEL] == Z2
    assert loaded_model(at).latent_dim == 2
    assert int(at.session_state[state_keys.SEED]) == 7
    expected = decode_probs(load(PRETRAINED_DIR / Z2).model, torch.tensor([0.5, -1.0]))[0]
    np.testing.assert_array_equal(current_digit(at).x, expected.reshape(-1))
    assert not warnings(at)
    assert param(at, "z") == "0.5,-1.0"  # the URL keeps the code as sent, not a re-encoding


def test_a_later_pick_is_not_overwritten_by_the_links_code() -> None:
    at = open_page("reconstruct", Z2, z="0.5,-1.0")
    at.sidebar.button(key="class_3").click().run()
    assert not at.exception
    assert current_digit(at).source == "mean code of class 3"
    at.run()
    assert current_digit(at).source == "mean code of class 3"
    assert param(at, "z") != "0.5,-1.0" and param(at, "src") == "mean-code-of-class-3"


def test_the_current_digit_is_written_into_the_url() -> None:
    at = open_page("reconstruct", Z2)
    text = param(at, "z")
    z = parse_code(text, 2)
    assert all(len(v.split(".")[-1]) <= 4 for v in text.split(","))
    mu = loaded_model(at).model.encode(torch.as_tensor(current_digit(at).x).reshape(1, -1)).mu[0]
    assert torch.allclose(z, mu, atol=5e-5)


@pytest.mark.parametrize("bad", ["0.5", "0.5,-1,2", "nan,0", "one,two", "1e9,0"])
def test_a_malformed_code_warns_and_shows_the_default_digit(bad: str) -> None:
    at = open_page("reconstruct", Z2, z=bad)
    assert any(w.startswith("The link's digit code was malformed (") for w in warnings(at)), warnings(at)
    assert current_digit(at).source == "mean code of class 4"  # the default digit
    assert param(at, "z") != bad
    at.run()  # the warning belongs to the link, not to every rerun
    assert not at.exception and not warnings(at)


def test_an_unknown_model_in_the_url_falls_back_to_the_default() -> None:
    at = open_page("reconstruct", "no-such-model")
    assert at.session_state[state_keys.MODEL] == "mnist-z20"
    assert param(at, "model") is None


@pytest.mark.parametrize(
    ("url_path", "key", "text", "value"),
    [("reconstruct", "recon_samples", "6", 6), ("variance", "variance_scale", "2.5", 2.5),
     ("sample", "sample_temperature", "0.5", 0.5), ("mean", "mean_shift_z0", "1.5", 1.5)],
)
def test_a_views_slider_opens_at_the_links_value(url_path: str, key: str, text: str, value: float) -> None:
    at = open_page(url_path, Z2, **{key: text})
    assert at.slider(key=key).value == value


def test_source_tag_is_url_safe() -> None:
    assert share.source_tag("Test digit #12 (label 3), decoded mu") == "test-digit-12-label-3-decoded-mu"
    assert share.source_tag("!!!") == "digit"
