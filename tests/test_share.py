"""A shared link opens on exactly its view (model, seed, the digit, a page's controls) with the sender's numbers,
and the current digit is written back into the URL (a test digit by index, a code, a picture); a malformed digit is
reported, not fatal; presenter mode is not taken from a link. The app runs on the shipped models."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from tests.apptest import current_digit, loaded_model, open_page
from vae_core.analysis import describe_digit
from vae_core.code_text import format_picture, parse_code
from vae_core.digits import load_test_digits
from vae_core.registry import PRETRAINED_DIR, load
from vae_core.render import decode_probs
from views import share, state_keys
from views.common import DEFAULT_TEST_INDEX

Z2 = "mnist-z2"


def param(at: AppTest, key: str) -> str | None:
    """A query parameter of the app's URL as the browser would show it (None when absent)."""
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_link_opens_on_its_model_seed_and_digit_code() -> None:
    at = open_page("reconstruct", Z2, seed="7", z="0.5,-1.0")
    assert at.session_state[state_keys.MODEL] == Z2
    assert loaded_model(at).latent_dim == 2
    assert int(at.session_state[state_keys.SEED]) == 7
    expected = decode_probs(load(PRETRAINED_DIR / Z2).model, torch.tensor([0.5, -1.0]))[0]
    np.testing.assert_array_equal(current_digit(at).x, expected.reshape(-1))
    assert not warnings(at)
    assert parse_code(param(at, "z"), 2).tolist() == [0.5, -1.0]  # the URL keeps the code, not a re-encoding


def test_a_test_digit_link_opens_on_that_real_digit() -> None:
    at = open_page("reconstruct", Z2, digit="123")
    digit = current_digit(at)
    assert digit.test_index == 123 and digit.label == int(load_test_digits().labels[123])
    np.testing.assert_array_equal(digit.x, load_test_digits().grey(123))
    assert param(at, "digit") == "123" and param(at, "z") is None


def test_the_default_digit_is_a_real_test_4_and_is_written_into_the_url() -> None:
    at = open_page("reconstruct", Z2)
    digit = current_digit(at)
    assert digit.test_index == DEFAULT_TEST_INDEX and digit.label == 4
    assert param(at, "digit") == str(DEFAULT_TEST_INDEX)


def test_a_later_pick_is_not_overwritten_by_the_links_digit() -> None:
    at = open_page("reconstruct", Z2, z="0.5,-1.0")
    at.sidebar.button(key="class_3").click().run()
    assert not at.exception
    first_three = int(load_test_digits().of_class(3)[0])
    assert current_digit(at).test_index == first_three
    at.run()
    assert current_digit(at).test_index == first_three
    assert param(at, "digit") == str(first_three) and param(at, "z") is None and param(at, "src") is None


def test_a_decoded_code_is_written_into_the_url_at_6_decimals() -> None:
    at = open_page("reconstruct", Z2, digit_kind="Class mean")
    at.sidebar.button(key="class_3").click().run()
    centroid = loaded_model(at).latents["class_centroids"][3]
    assert param(at, "src") == "mean-code-of-class-3" and param(at, "digit") is None
    assert torch.allclose(parse_code(param(at, "z"), 2), centroid, atol=5e-7, rtol=0)


@pytest.mark.parametrize("model", [Z2, "mnist-z20"])
def test_a_code_link_reopens_with_the_senders_numbers(model: str) -> None:
    sender = open_page("reconstruct", model, digit_kind="Class mean", seed="5")
    sender.sidebar.button(key="class_0").click().run()
    link = {k: param(sender, k) for k in ("z", "src", "seed", "digit_kind")}
    receiver = open_page("reconstruct", model, **link)
    assert metrics(receiver) == metrics(sender)  # to the 0.01 nats shown
    assert np.abs(current_digit(receiver).x - current_digit(sender).x).max() < 1e-5


def test_a_code_names_the_model_that_decoded_it_when_the_link_is_for_another() -> None:
    at = open_page("reconstruct", Z2, digit_kind="Class mean")
    at.sidebar.button(key="class_5").click().run()
    at.selectbox(key=state_keys.MODEL).set_value("mnist-z20").run()
    assert param(at, "zm") == Z2
    receiver = open_page("reconstruct", "mnist-z20", **{k: param(at, k) for k in ("z", "src", "zm")})
    np.testing.assert_allclose(current_digit(receiver).x, current_digit(at).x, atol=1e-5)


def test_a_picture_link_reopens_on_exactly_that_picture() -> None:
    x = load_test_digits().grey(77)[::-1].copy()  # a picture that is no test digit: upside down
    at = open_page("reconstruct", Z2, px=format_picture(x), src="my-drawing")
    np.testing.assert_array_equal(current_digit(at).x, x)
    assert current_digit(at).source == "from a shared link (my-drawing)"
    assert metrics(at)["ELBO"] == f"{describe_digit(loaded_model(at).model, x, n_samples=0).elbo:.2f}"
    assert param(at, "px") == format_picture(x)


@pytest.mark.parametrize(
    "bad",
    [{"z": "0.5"}, {"z": "0.5,-1,2"}, {"z": "nan,0"}, {"z": "one,two"}, {"z": "1e9,0"}, {"digit": "10000"},
     {"digit": "-1"}, {"digit": "４"}, {"digit": "seven"}, {"px": "%%%"}, {"px": "eJwrSS0u0c1MzVNIT80rSgUAIWsFKw"},
     {"z": "0,0", "zm": "no-such-model"}],
)
def test_a_malformed_digit_warns_and_shows_the_default_digit(bad: dict[str, str]) -> None:
    at = open_page("reconstruct", Z2, **bad)
    assert any(w.startswith("The link's digit could not be read (") for w in warnings(at)), warnings(at)
    assert current_digit(at).test_index == DEFAULT_TEST_INDEX  # the default digit
    assert all(param(at, k) != v for k, v in bad.items())
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


def test_source_tag_is_url_safe_and_keeps_the_senders_tag() -> None:
    assert share.source_tag("Test digit #12 (label 3), decoded mu") == "test-digit-12-label-3-decoded-mu"
    assert share.source_tag("!!!") == "digit"
    assert share.source_tag(share.LINK_SOURCE.format("mean-code-of-class-4")) == "mean-code-of-class-4"


def test_presenter_mode_is_the_viewers_choice_not_the_links() -> None:
    at = open_page("reconstruct", Z2, presenter="true")
    assert not at.toggle(key=state_keys.PRESENTER).value


def test_a_link_sets_the_manifolds_dimensions_and_spacing() -> None:
    at = open_page("manifold", "mnist-z20", manifold_dim_x="z3", manifold_dim_y="z5", manifold_spacing="linear",
                   manifold_zmax="2.5", timeout=120)
    assert [at.selectbox(key=k).value for k in ("manifold_dim_x", "manifold_dim_y")] == [3, 5]
    assert at.radio(key=state_keys.MANIFOLD_SPACING).value == "linear"
    assert at.slider(key=state_keys.MANIFOLD_ZMAX).value == 2.5


def test_a_link_sets_the_draw_number_and_the_mean_unit() -> None:
    assert open_page("sample", Z2, sample_draws="4").number_input(key="sample_draws").value == 4
    assert open_page("mean", Z2, mean_unit="posterior sigma_i").radio(key="mean_unit").value == "posterior sigma_i"
