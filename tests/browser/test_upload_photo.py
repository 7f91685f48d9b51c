"""A phone photo uploaded in headless Chromium: a hard photo shows what was found, a word gets the warning.
The two screenshots are saved under artifacts/screenshots (docs/screenshots holds copies)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from tests.photos import glyph_from_mnist, not_digit_photos, photograph
from vae_core.digits import load_test_digits

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
    glyph = glyph_from_mnist(load_test_digits().images[0], 220)
    path = tmp_path / "photo.jpg"
    path.write_bytes(photograph(glyph, np.random.default_rng(2), ("desk", "shadow", "squares", "tilt"), "blue"))
    upload(page, streamlit_server, app_idle, path)
    expect(page.get_by_text("digit's box found; left out:")).to_be_visible()
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
