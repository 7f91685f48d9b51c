"""The app as a whole, in AppTest: every page renders on a 2-D and a 20-D model, a folder of broken models is
reported while the good one is served, presenter mode enlarges the pictures, and a long session stays bounded."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import (
    LATENT_SPACE_HEADINGS,
    MODELS,
    image_picture,
    image_urls,
    loaded_model,
    open_latent_space_page,
    open_page,
    pictures,
)
from tests.broken_models import GOOD_MODEL, broken_names
from views import screens, state_keys

INTERACTIONS = 1_000
WARM_UP = 200  # caches, the model and lazy imports fill up first
MAX_GROWTH_MB = 50


@pytest.mark.parametrize("url_path", ["reconstruct", "mean", "variance", "sample", "maths"])
def test_page_renders_on_a_2d_and_a_20d_model(url_path: str) -> None:
    at = open_page(url_path)
    for name in ("mnist-z2", "mnist-z20"):  # z20 is the default: this also switches back
        at.selectbox(key=state_keys.MODEL).set_value(name).run()
        assert not at.exception, f"{url_path} on {name}: {at.exception}"
        assert loaded_model(at).latent_dim == MODELS[name]
        assert image_urls(at.main) or len(at.latex) == 4, f"{url_path} on {name} shows neither images nor formulas"
        for picture in pictures(at):
            assert len(picture.alt) > 10, f"{url_path} on {name}: a picture without a text alternative"


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("url_path", list(LATENT_SPACE_HEADINGS))
def test_latent_space_page_renders_without_exception(url_path: str, model: str) -> None:
    at = open_latent_space_page(url_path, model)
    assert loaded_model(at).name == model


def test_app_warns_about_each_broken_model_and_serves_the_good_one(
    good_and_broken_models: Path, serve_models: Callable[[Path], Path]
):
    root = serve_models(good_and_broken_models)
    at = open_page("")
    warnings = "\n".join(w.value for w in at.sidebar.warning)
    for name in broken_names(root):
        assert f"**{name}**" in warnings, f"no warning for {name}"
    picker = at.selectbox(key="model")
    assert picker.options == [GOOD_MODEL] and at.session_state["model"] == GOOD_MODEL  # bare names: in the URL
    assert f"{GOOD_MODEL} (z=2, NLL 543.2)" in [c.value for c in at.sidebar.caption]
    assert not at.main.error
    assert {m.label for m in at.main.metric} >= {"ELBO", "log p(x|z)", "KL"}  # the default page works


# --- presenter mode ----------------------------------------------------------------------------------------------


def test_presenter_mode_enlarges_pictures() -> None:
    at = open_page("reconstruct", "mnist-z2")
    plain = image_picture(at, "input x").width
    assert at.session_state[state_keys.PRESENTER] is False
    at.sidebar.toggle(key=state_keys.PRESENTER).set_value(True).run()
    assert not at.exception
    grown = image_picture(at, "input x").width
    assert grown > plain and grown % 28 == 0  # larger, still whole model pixels
    assert any(screens.PRESENTER_PAGE_CSS == h.proto.body for h in at.get("html"))  # larger type


# --- soak --------------------------------------------------------------------------------------------------------


def rss_mb() -> float:
    """This process's resident memory after a full collection and with glibc's free memory handed back: what it
    keeps, not the cyclic garbage (Streamlit's element trees) waiting for the next collection, which made the
    reading a sawtooth of 80-100 MB over the interactions (benchmarks/RESULTS.md, "The soak test's memory"), nor
    the freed memory glibc's arenas hold on to, which still moved it 40 MB either way (676-717 MB, every 100
    interactions; 673-676 after the trim)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # glibc only
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def interact(at: AppTest, i: int) -> None:
    if i % 2:
        at.button(key=f"class_{i % 10}").click().run()
    else:
        at.slider(key="recon_samples").set_value(1 + i % 8).run()
    assert not at.exception, f"interaction {i}: {at.exception}"


def test_a_thousand_interactions_keep_session_state_and_memory_bounded() -> None:
    """Soak: one session on the Reconstruct page doing 1,000 interactions (class buttons and the samples slider,
    alternating) keeps a bounded session_state and does not keep growing in memory."""
    at = open_page("reconstruct")
    key_counts, rss_at_warm_up = [], None
    for i in range(INTERACTIONS):
        interact(at, i)
        key_counts.append(len(at.session_state))
        if i == WARM_UP:
            rss_at_warm_up = rss_mb()
    growth = rss_mb() - rss_at_warm_up
    assert max(key_counts[WARM_UP:]) <= max(key_counts[:WARM_UP]), "session_state keeps gaining keys"
    assert growth < MAX_GROWTH_MB, f"RSS grew {growth:.0f} MB between interaction {WARM_UP} and {INTERACTIONS}"


@pytest.mark.parametrize("url_path", ["manifold", "map", "pad"])
def test_a_latent_space_page_on_a_20d_model_says_it_shows_a_slice_and_switches_to_z2(url_path: str) -> None:
    at = open_page(url_path, "mnist-z20", timeout=120)
    assert any("mnist-z20 has 20 latent dimensions" in i.value and "a 2-D slice" in i.value for i in at.main.info)
    at.button(key="switch_to_2d").click().run()
    assert not at.exception
    assert loaded_model(at).name == "mnist-z2" and at.session_state[state_keys.MODEL] == "mnist-z2"
    assert not [i for i in at.main.info if "latent dimensions" in i.value]  # the 2-D model needs no notice
