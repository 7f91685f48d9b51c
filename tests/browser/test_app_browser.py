"""End to end: `streamlit run app.py` in headless Chromium, driven like a visitor would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from views import navigation

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def page_urls() -> list[str]:
    """The URL path of every page; the default page is served at the root, "", and at its own path too."""
    return ["", *(spec.url_path for spec in navigation.PAGES)]


MAIN_IMAGES = "[data-testid=stMain] figure.vae-picture img"
EXCEPTION = "[data-testid=stException]"


def image_sources(page: Page) -> list[str]:
    return page.locator(MAIN_IMAGES).evaluate_all("imgs => imgs.map(img => img.src)")


# Counts changes of the app's script state, so a test knows a rerun really started after its action
# (widgets send their value after a short debounce; the state is still `notRunning` right after a key press).
COUNT_SCRIPT_RUNS = """() => {
    window.scriptStateChanges = 0;
    new MutationObserver(() => { window.scriptStateChanges += 1; }).observe(
        document.querySelector("[data-testid=stApp]"), {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


@contextmanager
def rerun_finished(page: Page, app_idle: Callable[[Page], None]) -> Iterator[None]:
    """Wrap a user action: on exit the rerun it triggered has finished. A fragment's rerun (a view's slider)
    need not touch the app's script state, so a change of the main pictures counts as a rerun too."""
    page.evaluate(COUNT_SCRIPT_RUNS)
    before = " ".join(image_sources(page))
    yield
    page.wait_for_function(
        """([selector, before]) => window.scriptStateChanges > 0
            || [...document.querySelectorAll(selector)].map(img => img.src).join(" ") !== before""",
        arg=[MAIN_IMAGES, before],
    )
    app_idle(page)


def digit_png(path: Path) -> Path:
    """A hand-drawn-looking "7": white strokes on black, larger than 28 px like a real upload."""
    img = np.zeros((140, 140), dtype=np.uint8)
    img[25:40, 30:110] = 255  # top bar
    for row in range(40, 120):  # diagonal stroke
        col = 110 - (row - 40) * 50 // 80
        img[row, col - 8 : col + 8] = 255
    Image.fromarray(img).save(path)
    return path


def test_app_loads_with_title_and_without_errors(page: Page, streamlit_server: str, app_idle) -> None:
    page.goto(streamlit_server)
    app_idle(page)
    expect(page).to_have_title("VAE Explorer")
    expect(page.locator("[data-testid=stMain] figure.vae-picture").first).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)


@pytest.mark.parametrize("url_path", page_urls(), ids=lambda url: url or "default")
def test_every_page_renders_without_an_exception(page: Page, streamlit_server: str, app_idle, url_path: str) -> None:
    page.goto(f"{streamlit_server}/{url_path}")
    app_idle(page)
    expect(page.locator("[data-testid=stMain]")).not_to_be_empty()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.locator(EXCEPTION)).to_have_count(0)


def test_moving_a_slider_with_the_keyboard_changes_the_pictures(page: Page, streamlit_server: str, app_idle) -> None:
    page.goto(f"{streamlit_server}/reconstruct")
    app_idle(page)
    slider = page.locator("[data-testid=stMain]").get_by_role("slider").first
    value_before = int(slider.input_value())
    before = image_sources(page)
    assert before, "the page shows no image to compare"

    with rerun_finished(page, app_idle):
        slider.focus()
        slider.press("ArrowRight")

    expect(slider).to_have_value(str(value_before + 1))
    assert image_sources(page) != before
    expect(page.locator(EXCEPTION)).to_have_count(0)


def test_uploading_a_png_shows_its_reconstruction(page: Page, streamlit_server: str, app_idle, tmp_path: Path) -> None:
    page.goto(f"{streamlit_server}/upload")
    app_idle(page)
    before = image_sources(page)

    with rerun_finished(page, app_idle):
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(digit_png(tmp_path / "seven.png"))

    captions = page.locator("[data-testid=stMain] figure.vae-picture figcaption")
    expect(captions.filter(has_text="reconstruction").first).to_be_visible()
    assert image_sources(page) != before
    expect(page.locator(EXCEPTION)).to_have_count(0)


def test_a_link_restores_the_interpolation_and_map_settings(page: Page, streamlit_server: str, app_idle) -> None:
    page.goto(f"{streamlit_server}/interpolate?model=mnist-z2&interp_steps=6&interp_t=3")
    app_idle(page)
    sliders = page.locator("[data-testid=stMain] [data-testid=stSlider] input[type=range]")
    assert sliders.evaluate_all("inputs => inputs.map(i => i.value)") == ["6", "3"]
    page.goto(f"{streamlit_server}/map?model=mnist-z2&map_classes=3&map_classes=5")
    app_idle(page)
    live = page.locator(".vae-pills.ready input:checked")  # the live pills, over their hidden Streamlit twin
    assert live.evaluate_all("inputs => inputs.map(i => i.value)") == ["3", "5"]
    chosen = page.locator(".st-key-map_classes button[aria-pressed=true]")
    assert chosen.all_text_contents() == ["3", "5"]
    expect(page.locator(EXCEPTION)).to_have_count(0)
