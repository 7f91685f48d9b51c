"""AppTest checks of the Upload & draw view: a real upload shows every preprocessing step and vae_core's own
ELBO for it; every file of the corpus, good or bad, goes through the uploader without breaking the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import captions, current_digit, mount_data, open_page, send_state, switch_page
from tests.corpus import bad_cases, corpus, good_cases, write_tiny_model
from tests.photos import glyph_from_mnist, not_digit_photos, photograph
from vae_core.analysis import describe_digit
from vae_core.digits import load_test_digits
from vae_core.drawing import canvas_ink
from vae_core.preprocess import ImageInputError, load_image, to_mnist_style
from vae_core.registry import load
from views import state_keys
from views.pictures import png_data_uri

SEVEN = good_cases()[0]
STEP_TITLES = (  # how each step's caption starts; the second depends on the picture's background
    ("greyscale on white",), ("light paper found", "dark paper found"), ("ink bright, the paper's light divided out",),
    ("digit's box found",), ("cropped to the digit",), ("fitted into 20 x 20",), ("centred by mass in 28 x 28",),
)


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one tiny model: it loads in no time, and the upload checks need no trained one."""
    root = tmp_path_factory.mktemp("models")
    write_tiny_model(root / "tiny-z2")
    return root


@pytest.fixture
def tiny_model_dir(tiny_models: Path, serve_models: Callable[[Path], Path]) -> Path:
    """The app serves the tiny model alone; its folder."""
    return serve_models(tiny_models) / "tiny-z2"


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
    digit = current_digit(at)
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
    assert not at.exception and SEVEN.filename in current_digit(at).source


def test_a_bad_upload_shows_the_message_preprocessing_gives(tiny_model_dir: Path):
    """The page shows the user exactly what vae_core.preprocess says is wrong with the file."""
    at = open_page("upload")
    for case in bad_cases():
        with pytest.raises(ImageInputError) as raised:
            to_mnist_style(load_image(case.data))
        upload(at, case.filename, case.data, case.mime)
        assert [e.value for e in at.main.error] == [str(raised.value)], case.name


def test_failed_upload_leaves_the_drawing_canvas_in_place(tiny_model_dir: Path):
    at = upload(open_page("upload"), bad_cases()[0].filename, bad_cases()[0].data, bad_cases()[0].mime)
    assert at.main.error
    assert "draw_canvas" in at.session_state  # the canvas widget, with its own key, is still there


def test_a_photo_of_a_word_gets_a_warning_with_the_reason(tiny_model_dir: Path):
    word = next(p for p in not_digit_photos(seed=3, per_kind=1) if p.name.startswith("word"))
    at = upload(open_page("upload"), "word.jpg", word.data, "image/jpeg")
    assert not at.main.error
    warnings = [w.value for w in at.main.warning]
    assert len(warnings) == 1 and warnings[0].startswith("This does not look like one handwritten digit.")
    assert_steps_shown(at)  # the steps are still shown: they show what was found


def test_a_digit_photo_gets_no_warning(tiny_model_dir: Path):
    glyph = glyph_from_mnist(load_test_digits().images[0], 200)
    data = photograph(glyph, np.random.default_rng(0), ("desk", "lines", "shadow"), "blue")
    at = upload(open_page("upload"), "seven.jpg", data, "image/jpeg")
    assert not at.main.error and not at.main.warning


def test_the_upload_survives_a_page_switch_and_stays_an_endpoint(tiny_model_dir: Path):
    at = upload(open_page("upload"), SEVEN.filename, SEVEN.data, SEVEN.mime)
    x = to_mnist_style(load_image(SEVEN.data)).x
    switch_page(switch_page(at, "reconstruct"), "upload")
    assert_steps_shown(at)  # the uploader is empty again, but the digit is still the user's
    kept_note = f"Below: upload '{SEVEN.filename}', kept from before until you replace it."
    assert kept_note in [c.value for c in at.main.caption]
    at.button(key="upload_use_A").click().run()
    np.testing.assert_array_equal(at.session_state[state_keys.INTERP_ENDPOINT.format("A")], x)


def test_an_uploaded_endpoint_stays_chosen_on_interpolate_across_page_switches(tiny_model_dir: Path):
    at = upload(open_page("upload"), SEVEN.filename, SEVEN.data, SEVEN.mime)
    at.button(key="upload_use_B").click().run()
    switch_page(at, "interpolate")
    at.selectbox(key="interp_b").set_value("from upload/drawing").run()
    assert not at.exception
    switch_page(switch_page(at, "upload"), "interpolate")  # away to the Upload page (its uploader now empty) and back
    assert at.selectbox(key="interp_b").value == "from upload/drawing"
    np.testing.assert_array_equal(at.session_state[state_keys.INTERP_ENDPOINT.format("B")],
                                  to_mnist_style(load_image(SEVEN.data)).x)


def drawing_url(rows: slice, cols: slice) -> str:
    """A canvas's picture as the browser sends it: a PNG data URL of a white bar on black, 280 x 280 RGB."""
    picture = np.zeros((280, 280, 3), np.uint8)
    picture[rows, cols] = 255
    return png_data_uri(picture)


def test_the_canvas_is_mounted_with_the_drawing_it_sent_and_a_broken_one_gets_a_message(tiny_model_dir: Path):
    """The canvas's callback keeps what it sent before the run that follows, so that run mounts the canvas with that
    drawing (views/live/draw.js keeps its strokes only while the two agree) and reads it. A drawing that is no
    picture gets the message of vae_core.drawing in the page and is not kept; a cleared canvas keeps nothing."""
    at = open_page("upload")
    shown = lambda: [m.value for m in at.main.markdown if "From your drawing" in m.value]  # noqa: E731
    for bar in ((slice(40, 240), slice(130, 150)), (slice(130, 150), slice(60, 220))):
        url = drawing_url(*bar)
        send_state(at, "draw_canvas", {"drawing": url})
        assert mount_data(at, "draw_canvas")["drawing"] == url and shown()
    broken = "data:image/png;base64,bm90IGEgcGljdHVyZQ=="
    with pytest.raises(ImageInputError) as raised:
        canvas_ink(broken)
    send_state(at, "draw_canvas", {"drawing": broken})
    assert [e.value for e in at.main.error] == [str(raised.value)] and not shown()
    at.run()
    assert mount_data(at, "draw_canvas")["drawing"] is None and not at.main.error
    send_state(at, "draw_canvas", {"drawing": url})
    send_state(at, "draw_canvas", {"drawing": ""})
    assert mount_data(at, "draw_canvas")["drawing"] == "" and not shown()
