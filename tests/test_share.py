"""A shared link opens on exactly its view (model, seed, digit code); a malformed digit code is reported, not
fatal; presenter mode enlarges the pictures; the training replay renders at every snapshot epoch.

The app runs on the shipped models (final, no longer rewritten)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from vae_core.code_text import format_code, parse_code
from vae_core.registry import PRETRAINED_DIR, load
from vae_core.render import decode_probs
from vae_core.snapshots import snapshot_epochs
from views import share, state_keys

ROOT = Path(__file__).resolve().parent.parent
Z2 = "mnist-z2"
pytestmark = pytest.mark.skipif(not snapshot_epochs(PRETRAINED_DIR / Z2), reason="pretrained/mnist-z2 has no snapshots")


def open_url(url_path: str, **params: str) -> AppTest:
    """Run app.py as if the browser opened /<url_path>?<params> (see test_views_latent.open_page for the hash)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at._page_hash = calc_hash(url_path)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    assert at._finished_page_script_hash == calc_hash(url_path), f"page {url_path!r} did not open"
    return at


def param(at: AppTest, key: str) -> str | None:
    """A query parameter of the app's URL as the browser would show it (None when absent)."""
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


# --- parse_code / format_code ------------------------------------------------------------------------------------


def test_parse_code_reads_comma_separated_numbers() -> None:
    assert torch.equal(parse_code("0.5, -1,2e-1", 3), torch.tensor([0.5, -1.0, 0.2]))


@pytest.mark.parametrize(
    ("text", "reason"),
    [("0.5", "expected 2 numbers, got 1"), ("1,2,3", "expected 2 numbers, got 3"), ("", "expected 2 numbers"),
     ("nan,1", "finite"), ("inf,1", "finite"), ("a,b", "numbers"), ("1,", "numbers"), ("1e9,0", "within"),
     ("-10.5,0", "within")],
)
def test_parse_code_rejects_malformed_codes_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_code(text, 2)


def test_parse_code_accepts_the_limits() -> None:
    assert parse_code("-10,10", 2).tolist() == [-10.0, 10.0]


def test_format_code_round_trips_through_parse_code_at_4_decimals() -> None:
    z = torch.tensor([0.123456, -1.0, 0.0, -0.00001, 3.5])
    text = format_code(z)
    assert text == "0.1235,-1,0,0,3.5"
    assert torch.allclose(parse_code(text, 5), z, atol=5e-5)


# --- shared links ------------------------------------------------------------------------------------------------


def test_link_opens_on_its_model_seed_and_digit_code() -> None:
    at = open_url("reconstruct", model=Z2, seed="7", z="0.5,-1.0")
    assert at.session_state[state_keys.MODEL] == Z2
    assert at.session_state[state_keys.LOADED_MODEL].latent_dim == 2
    assert int(at.session_state[state_keys.SEED]) == 7
    expected = decode_probs(load(PRETRAINED_DIR / Z2).model, torch.tensor([0.5, -1.0]))[0]
    np.testing.assert_array_equal(at.session_state[state_keys.DIGIT].x, expected.reshape(-1))
    assert not warnings(at)
    assert param(at, "z") == "0.5,-1.0"  # the URL keeps the code as sent, not a re-encoding


def test_a_later_pick_is_not_overwritten_by_the_links_code() -> None:
    at = open_url("reconstruct", model=Z2, z="0.5,-1.0")
    at.sidebar.button(key="class_3").click().run()
    assert not at.exception
    assert at.session_state[state_keys.DIGIT].source == "mean code of class 3"
    at.run()
    assert at.session_state[state_keys.DIGIT].source == "mean code of class 3"
    assert param(at, "z") != "0.5,-1.0" and param(at, "src") == "mean-code-of-class-3"


def test_the_current_digit_is_written_into_the_url() -> None:
    at = open_url("reconstruct", model=Z2)
    text = param(at, "z")
    z = parse_code(text, 2)
    assert all(len(v.split(".")[-1]) <= 4 for v in text.split(","))
    lm = at.session_state[state_keys.LOADED_MODEL]
    mu = lm.model.encode(torch.as_tensor(at.session_state[state_keys.DIGIT].x).reshape(1, -1)).mu[0]
    assert torch.allclose(z, mu, atol=5e-5)


@pytest.mark.parametrize("bad", ["0.5", "0.5,-1,2", "nan,0", "one,two", "1e9,0"])
def test_a_malformed_code_warns_and_shows_the_default_digit(bad: str) -> None:
    at = open_url("reconstruct", model=Z2, z=bad)
    assert any(w.startswith("The link's digit code was malformed (") for w in warnings(at)), warnings(at)
    assert at.session_state[state_keys.DIGIT].source == "mean code of class 4"  # the default digit
    assert param(at, "z") != bad
    at.run()  # the warning belongs to the link, not to every rerun
    assert not at.exception and not warnings(at)


def test_an_unknown_model_in_the_url_falls_back_to_the_default() -> None:
    at = open_url("reconstruct", model="no-such-model")
    assert at.session_state[state_keys.MODEL] == "mnist-z20"
    assert param(at, "model") is None


# --- presenter mode ----------------------------------------------------------------------------------------------


def test_presenter_mode_enlarges_show_digit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The width st.image gets is not in AppTest's image proto, so st.image is wrapped to record it."""
    widths: dict[str, int] = {}
    original = st.image

    def recording_image(image, caption=None, width="content", **kw):  # noqa: ANN001, ANN202
        widths[caption] = width
        return original(image, caption=caption, width=width, **kw)

    monkeypatch.setattr(st, "image", recording_image)
    at = open_url("reconstruct", model=Z2)
    plain = widths["input x"]
    assert at.session_state[state_keys.PRESENTER] is False
    at.sidebar.toggle(key=state_keys.PRESENTER).set_value(True).run()
    assert not at.exception
    assert widths["input x"] > plain and widths["input x"] % 28 == 0  # larger, still whole model pixels
    assert any("font-size: 20px" in m.value for m in at.markdown)


def test_presenter_mode_opens_from_the_url() -> None:
    at = open_url("reconstruct", model=Z2, presenter="true")
    assert at.session_state[state_keys.PRESENTER] is True


# --- training replay ---------------------------------------------------------------------------------------------


def test_replay_renders_at_every_snapshot_epoch_and_the_manifold_changes() -> None:
    at = open_url("replay", model=Z2)
    slider = at.select_slider(key="replay_epoch")
    epochs = snapshot_epochs(PRETRAINED_DIR / Z2)
    assert list(slider.options) == [str(e) for e in epochs]
    manifold_urls = {}
    for epoch in epochs:
        at.select_slider(key="replay_epoch").set_value(epoch).run()
        assert not at.exception, f"epoch {epoch}: {at.exception}"
        [url] = [img.url for node in at.main.get("image") for img in node.proto.imgs
                 if img.caption.startswith(f"manifold at epoch {epoch}:")]
        manifold_urls[epoch] = url
        assert len(at.get("plotly_chart")) == 2  # the latent map and the ELBO curve
    assert manifold_urls[0] != manifold_urls[100]


def test_replay_falls_back_to_a_model_with_snapshots() -> None:
    at = open_url("replay")  # the default model, mnist-z20, has no snapshots
    assert at.session_state[state_keys.MODEL] == "mnist-z20"
    assert any("replaying **mnist-z2** instead" in i.value for i in at.info)
    assert at.select_slider(key="replay_epoch").value == max(snapshot_epochs(PRETRAINED_DIR / Z2))


def test_elbo_curve_marks_epoch_0_left_of_epoch_1() -> None:
    from views.pages.replay import elbo_figure

    rows = [{"epoch": 1, "train_elbo": -170.0, "test_elbo": -160.0}, {"epoch": 2, "train_elbo": -150.0,
                                                                          "test_elbo": -151.0}]
    fig = elbo_figure(rows, 0)
    assert fig.layout.xaxis.type == "log"
    [line] = [s for s in fig.layout.shapes if s.type == "line"]
    assert 0 < line.x0 < 1 and math.isclose(line.x0, line.x1)
    assert 0 < 10 ** fig.layout.annotations[0].x < 1  # an annotation's x on a log axis is in log10 units
    fig = elbo_figure(rows, 2)
    assert fig.layout.shapes[0].x0 == 2 and math.isclose(10 ** fig.layout.annotations[0].x, 2)


def test_source_tag_is_url_safe() -> None:
    assert share.source_tag("Test digit #12 (label 3), decoded mu") == "test-digit-12-label-3-decoded-mu"
    assert share.source_tag("!!!") == "digit"


@pytest.mark.parametrize(
    ("url_path", "key", "text", "value"),
    [("reconstruct", "recon_samples", "6", 6), ("variance", "variance_scale", "2.5", 2.5),
     ("sample", "sample_temperature", "0.5", 0.5), ("mean", "mean_shift_z0", "1.5", 1.5)],
)
def test_a_views_slider_opens_at_the_links_value(url_path: str, key: str, text: str, value: float) -> None:
    at = open_url(url_path, model=Z2, **{key: text})
    assert at.slider(key=key).value == value
