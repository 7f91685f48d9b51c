"""The latent pad in headless Chromium: the browser's decoder matches torch's, and a drag decodes and commits."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from playwright.sync_api import Page, expect

from tests.live_app import COUNT_SCRIPT_RUNS, DIGIT_CAPTION, PICTURE_CHANGED
from vae_core.export import browser_message
from vae_core.registry import PRETRAINED_DIR, LoadedModel, load

pytestmark = pytest.mark.browser

MODEL = "mnist-z2"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CODES = [[0.0, 0.0], [1.5, -2.0], [-3.0, 3.0], [0.3, 0.7], [2.9, 2.9], [-6.0, 6.0]]
RERUN_MS = 120_000  # the release reruns the pad's fragment, then the app; slow on a busy machine
CAPTION = re.compile(r"latent pad: z0 = (-?\d+\.\d+), z1 = (-?\d+\.\d+)")


def open_pad(page: Page, url: str, app_idle) -> None:
    """Open /pad on MODEL (the sidebar's model picker is bound to ?model=)."""
    page.goto(f"{url}/pad?model={MODEL}")
    page.wait_for_function("() => window.vaePad !== undefined")
    app_idle(page)
    expect(page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model")).to_have_value(MODEL)


def model_the_page_uses(page: Page, url: str, app_idle) -> LoadedModel:
    """MODEL as loaded here, checked to be the very weights the page decodes with (the pad names them by sha1)."""
    open_pad(page, url, app_idle)
    lm = load(PRETRAINED_DIR / MODEL)
    assert browser_message(lm.model)[0] == page.evaluate("window.vaePad.model"), "the page decodes other weights"
    return lm


def test_browser_decoder_matches_torch_decoder(page: Page, streamlit_server: str, app_idle) -> None:
    torch.set_num_threads(1)
    lm = model_the_page_uses(page, streamlit_server, app_idle)
    browser = np.array(page.evaluate("codes => codes.map(z => window.vaePad.decode(z))", CODES))
    with torch.inference_mode():
        reference = lm.model.decode(torch.tensor(CODES)).numpy()
    assert browser.shape == (len(CODES), 784)
    assert np.abs(browser - reference).max() <= 1e-4




def test_dragging_decodes_live_and_release_sets_the_current_digit(
    page: Page, streamlit_server: str, app_idle
) -> None:
    open_pad(page, streamlit_server, app_idle)
    pad, preview = page.locator("canvas.pad"), page.locator("canvas.preview")
    box = pad.bounding_box()
    start = (box["x"] + 0.2 * box["width"], box["y"] + 0.2 * box["height"])
    end = (box["x"] + 0.8 * box["width"], box["y"] + 0.8 * box["height"])  # z0 = +1.8, z1 = -1.8 on -3..3
    page.mouse.move(*start)
    drawn = page.evaluate("window.vaePad.stats().drawn")
    page.mouse.down()
    page.wait_for_function("n => window.vaePad.stats().drawn > n", arg=drawn)  # the picture at `start`
    at_start = preview.evaluate("c => c.toDataURL()")
    page.evaluate(COUNT_SCRIPT_RUNS)

    page.mouse.move(*end, steps=20)
    page.wait_for_function(PICTURE_CHANGED, arg=[preview.element_handle(), at_start])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "latent_pad_dragging.png"))
    assert page.evaluate("window.scriptStateChanges") == 0, "dragging should not rerun the script"

    page.mouse.up()
    caption = page.locator(DIGIT_CAPTION).filter(has_text=CAPTION)
    expect(caption).to_be_visible(timeout=RERUN_MS)
    app_idle(page)
    z0, z1 = map(float, CAPTION.search(caption.inner_text()).groups())
    assert z0 == pytest.approx(1.8, abs=0.05) and z1 == pytest.approx(-1.8, abs=0.05)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_a_click_or_the_keyboard_places_the_code_without_dragging(page: Page, streamlit_server: str, app_idle) -> None:
    open_pad(page, streamlit_server, app_idle)
    pad = page.locator("canvas.pad")
    box = pad.bounding_box()
    page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"])  # z0 = +1.5, z1 = +1.5
    caption = page.locator(DIGIT_CAPTION).filter(has_text=CAPTION)
    expect(caption).to_be_visible(timeout=RERUN_MS)
    app_idle(page)
    z0, z1 = map(float, CAPTION.search(caption.inner_text()).groups())
    assert z0 == pytest.approx(1.5, abs=0.05) and z1 == pytest.approx(1.5, abs=0.05)

    pad = page.locator("canvas.pad")
    pad.focus()
    for key in ("ArrowLeft", "ArrowLeft", "ArrowDown"):  # from the current digit's mu, 0.3 of the range each
        page.keyboard.press(key)
    expected = page.evaluate("window.vaePad && document.querySelector('.vae-pad .z').textContent")
    page.keyboard.press("Enter")
    expect(page.locator(DIGIT_CAPTION)).to_have_text(f"latent pad: {expected}", timeout=RERUN_MS)
    app_idle(page)
    page.wait_for_function("() => document.activeElement?.matches('canvas.pad')")  # still on the (new) pad
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
