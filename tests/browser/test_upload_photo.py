"""A phone photo uploaded in headless Chromium: a hard photo shows what was found, a word gets the warning, a file
over the limit or of the wrong kind is refused with a message in the page, and the camera takes a digit's photo
(Chromium's fake camera playing a generated photo). The two screenshots of the issue are saved under
artifacts/screenshots (docs/screenshots holds copies)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests import live_app
from tests.photos import handwritten_digit, not_digit_photos, photograph
from vae_core.preprocess import MAX_BYTES

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
RUN_MS = 120_000


def upload(page: Page, url: str, app_idle, path: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1300})
    page.goto(f"{url}/upload")
    app_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_text("what the model is given, step by step")).to_be_visible(timeout=RUN_MS)
    app_idle(page)


def test_a_hard_photo_shows_what_was_found(page: Page, streamlit_server: str, app_idle, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    path = tmp_path / "photo.jpg"
    defects = ("desk", "gradient", "lines", "shadow", "tilt")
    path.write_bytes(photograph(handwritten_digit(5, 220, rng), rng, defects, "pencil", (800, 600)))
    upload(page, streamlit_server, app_idle, path)
    found = "digit's box found (green, the digit white); left out (red, faint in blue):"
    expect(page.get_by_text(found)).to_be_visible()
    expect(page.get_by_text("This does not look like one handwritten digit")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "upload-photo.png"), full_page=True)


def test_a_word_gets_the_warning(page: Page, streamlit_server: str, app_idle, tmp_path: Path) -> None:
    word = next(p for p in not_digit_photos(seed=3, per_kind=1) if p.name.startswith("word"))
    path = tmp_path / "word.jpg"
    path.write_bytes(word.data)
    upload(page, streamlit_server, app_idle, path)
    expect(page.get_by_text("This does not look like one handwritten digit")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "upload-not-a-digit.png"), full_page=True)


def test_a_file_over_the_limit_or_of_the_wrong_kind_is_refused_in_the_page(page: Page, streamlit_server: str,
                                                                           app_idle, tmp_path: Path) -> None:
    page.goto(f"{streamlit_server}/upload")
    app_idle(page)
    expect(page.get_by_text(f"Upload a picture of one digit (at most {MAX_BYTES // 2**20} MB)")).to_be_visible()
    big = tmp_path / "big.jpg"
    big.write_bytes(bytes(MAX_BYTES + 2**20))  # the uploader refuses it in the browser: Python never sees it
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(big))
    refusal = page.get_by_role("alert").filter(has_text="or smaller")
    expect(refusal).to_be_visible()
    box = refusal.bounding_box()  # shown as text, not only to screen readers (a 1 x 1 pixel box) or in a tooltip
    assert box is not None and box["width"] > 100 and box["height"] > 10, box
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(text))
    expect(page.get_by_text("This file is not a picture in a format that works here")).to_be_visible(timeout=RUN_MS)


def write_y4m(path: Path, jpeg: bytes, frames: int = 2) -> None:
    """A photo as an uncompressed YUV 4:2:0 video, the file Chromium's fake camera plays (--use-file-for-fake-...)."""
    im = Image.open(io.BytesIO(jpeg)).convert("YCbCr")
    w, h = im.size
    y, cb, cr = (np.asarray(c) for c in im.split())
    half = [np.asarray(Image.fromarray(c).resize((w // 2, h // 2), Image.Resampling.BOX)) for c in (cb, cr)]
    frame = b"FRAME\n" + y.tobytes() + half[0].tobytes() + half[1].tobytes()
    path.write_bytes(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)


def test_the_camera_takes_the_photo_of_a_digit(browser, streamlit_server: str, app_idle, tmp_path: Path) -> None:
    """`st.camera_input` with Chromium's fake camera and its permission prompt accepted: a digit written on lined
    paper goes through the same steps as an upload."""
    rng = np.random.default_rng(3)
    video = tmp_path / "digit.y4m"
    write_y4m(video, photograph(handwritten_digit(3, 260, rng), rng, ("lines", "gradient"), "blue"))
    camera = browser.browser_type.launch(executable_path=live_app.CHROMIUM, args=[
        *live_app.CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        page = camera.new_page(viewport={"width": 1400, "height": 1300})
        page.set_default_timeout(RUN_MS)
        page.goto(f"{streamlit_server}/upload")
        app_idle(page)
        page.get_by_text("Take a photo with the camera").click()
        take = page.get_by_role("button", name="Take Photo")
        expect(take).to_be_enabled()  # enabled once the camera's stream is playing
        take.click()
        expect(page.get_by_text("what the model is given, step by step")).to_be_visible()
        app_idle(page)
        expect(page.get_by_text("digit's box found")).to_be_visible()
        expect(page.get_by_text("This does not look like one handwritten digit")).to_have_count(0)
    finally:
        camera.close()
