"""AppTest checks of the Upload & draw view: a real upload shows every preprocessing step and vae_core's own
ELBO for it; every file of the corpus, good or bad, goes through the uploader without breaking the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from corpus import bad_cases, corpus, good_cases, write_tiny_model
from streamlit.testing.v1 import AppTest

from tests.pages import open_page
from vae_core.analysis import describe_digit
from vae_core.preprocess import load_image, to_mnist_style
from vae_core.registry import load
from views import state_keys

ROOT = Path(__file__).resolve().parent.parent
SEVEN = good_cases()[0]
STEP_TITLES = (  # how each step's caption starts; the second depends on the picture's background
    ("greyscale on white",), ("inverted: ink bright", "ink already bright"), ("cropped to the ink",),
    ("fitted into 20 x 20",), ("centred by mass in 28 x 28",),
)


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with one tiny model, served instead of pretrained/ (whose weights may be mid-training).

    list_models reads VAE_PRETRAINED_DIR at call time; Streamlit's caches live for the whole process,
    so they are emptied before and after, for the other test modules' sake.
    """
    root = tmp_path_factory.mktemp("models")
    write_tiny_model(root / "tiny-z2")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VAE_PRETRAINED_DIR", str(root))
        st.cache_data.clear()
        st.cache_resource.clear()
        yield root / "tiny-z2"
    st.cache_data.clear()
    st.cache_resource.clear()


def captions(at: AppTest) -> list[str]:
    return [img.caption for node in at.main.get("image") for img in node.proto.imgs]


def upload(at: AppTest, filename: str, data: bytes, mime: str) -> AppTest:
    at.file_uploader(key="upload_file").set_value((filename, data, mime)).run()
    assert not at.exception, f"{filename}: {at.exception}"
    return at


def assert_steps_shown(at: AppTest) -> None:
    shown = captions(at)
    for titles in STEP_TITLES:
        assert any(c.startswith(titles) for c in shown), f"step {titles} missing from {shown}"
    assert "reconstruction: decoder mean at z = mu" in shown


def test_upload_shows_every_step_the_reconstruction_and_vae_cores_elbo(tiny_model_dir: Path):
    at = upload(open_page("upload"), SEVEN.filename, SEVEN.data, SEVEN.mime)
    assert not at.error
    assert_steps_shown(at)
    x = to_mnist_style(load_image(SEVEN.data)).x
    report = describe_digit(load(tiny_model_dir).model, x, n_samples=0, seed=int(at.session_state[state_keys.SEED]))
    shown = {m.label: m.value for m in at.main.metric}
    assert shown["ELBO"] == f"{report.elbo:.2f}"
    assert shown["log p(x|z)"] == f"{report.log_likelihood:.2f}"
    assert shown["KL"] == f"{report.kl:.2f}"


def test_upload_becomes_the_current_digit_and_interpolation_endpoints(tiny_model_dir: Path):
    at = upload(open_page("upload"), SEVEN.filename, SEVEN.data, SEVEN.mime)
    x = to_mnist_style(load_image(SEVEN.data)).x
    at.button(key="upload_use_A").click().run()
    at.button(key="upload_use_B").click().run()
    for side in "AB":
        endpoint = at.session_state[state_keys.INTERP_ENDPOINT.format(side)]
        assert isinstance(endpoint, np.ndarray) and endpoint.shape == (784,)
        np.testing.assert_array_equal(endpoint, x)
    at.button(key="upload_use_digit").click().run()
    assert not at.exception
    digit = at.session_state[state_keys.DIGIT]
    np.testing.assert_array_equal(digit.x, x)
    assert SEVEN.filename in digit.source


def test_whole_corpus_through_the_uploader_keeps_the_app_running(tiny_model_dir: Path):
    at = open_page("upload")
    for case in corpus():
        upload(at, case.filename, case.data, case.mime)
        errors = [e.value for e in at.main.error]
        if case.error is None:
            assert not errors, f"{case.name}: {errors}"
            assert_steps_shown(at)
        else:
            assert len(errors) == 1 and case.error in errors[0], f"{case.name}: {errors}"
            assert not any(c.startswith(STEP_TITLES[0]) for c in captions(at)), f"{case.name}: stale steps shown"
    # Still responsive after all the bad files: a good upload works, and so do the other widgets.
    upload(at, SEVEN.filename, SEVEN.data, SEVEN.mime)
    assert not at.main.error
    assert_steps_shown(at)
    at.button(key="upload_use_digit").click().run()
    assert not at.exception and SEVEN.filename in at.session_state[state_keys.DIGIT].source


def test_failed_upload_leaves_the_drawing_canvas_in_place(tiny_model_dir: Path):
    at = upload(open_page("upload"), bad_cases()[0].filename, bad_cases()[0].data, bad_cases()[0].mime)
    assert at.main.error
    assert "draw_canvas" in at.session_state  # the canvas widget, with its own key, is still there
