"""Where the browser cannot run the live component's script (blocked, or failing), every page still shows its
Streamlit controls and the server's pictures, and they work (issue 16: the server path unchanged)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_app import DIGIT_CAPTION
from views.pages.pad import NO_SCRIPT

pytestmark = pytest.mark.browser

RERUN_MS = 120_000
# Streamlit loads a component's script from a blob: URL; refusing to make one is a blocked script.
BLOCK_COMPONENT_SCRIPTS = """
const createObjectURL = URL.createObjectURL;
URL.createObjectURL = function (blob) {
  if (blob instanceof Blob && blob.type === "text/javascript") throw new Error("component scripts blocked");
  return createObjectURL.call(this, blob);
};
"""


@pytest.fixture
def blocked_page(browser: Browser) -> Iterator[Page]:
    """A page in a context of its own where the component scripts are blocked."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(RERUN_MS)
    context.add_init_script(BLOCK_COMPONENT_SCRIPTS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize(("path", "picture", "control"), [
    ("variance", "grid of 16 digits", "s (multiplies sigma)"),
    ("reconstruct", "reconstruction of a handwritten", "Stochastic reconstructions"),
    ("manifold", "Manifold: 20 x 20 digits", "Grid size n (n x n digits)"),
    ("map", "Latent map:", None),
    ("replay", "latent map of mnist-z2 at training epoch 300", "Epoch"),
])
def test_without_the_live_script_a_page_keeps_its_streamlit_controls_and_server_pictures(
    blocked_page: Page, streamlit_server: str, app_idle, path: str, picture: str, control: str | None
):
    page = blocked_page
    page.goto(f"{streamlit_server}/{path}?model=mnist-z2")
    app_idle(page)
    main = page.get_by_test_id("stMain")
    expect(main.locator(f"figure.vae-picture img[alt^='{picture}']").first).to_be_visible()
    expect(main.locator(".vae-live")).to_have_count(0)  # nothing live was drawn
    # Streamlit's error in each live mount, with its stack trace, is kept from the visitor (views/screens.py)
    errors = page.locator(".stBidiComponent [data-testid=stAlertContainer]")
    expect(errors.first).to_be_attached()
    assert not [e for e in errors.all() if e.is_visible()]
    # nor do the mounts that draw nothing take room (the runtime's, the sources'): the CSS that hides them is
    # the page's, not the blocked script's
    mounts = page.locator(".st-key-vae_live_runtime, [data-testid=stElementContainer][class*='_source_']")
    expect(mounts.first).to_be_attached()
    assert {m.evaluate("e => getComputedStyle(e).display") for m in mounts.all()} == {"none"}  # not even a gap
    if control:
        slider = main.locator("[data-testid=stSlider]").filter(has_text=control).get_by_role("slider")
        expect(slider).to_be_visible()
    if path == "replay":  # the server's ELBO chart, in place of the live one
        expect(main.get_by_test_id("stPlotlyChart")).to_be_visible()
    side = page.get_by_test_id("stSidebar")
    side.get_by_role("button", name="3", exact=True).click()  # the digit panel's Streamlit buttons
    expect(page.locator(DIGIT_CAPTION)).to_have_text(re.compile(r"^test digit #\d+, a 3$"))
    app_idle(page)
    expect(main.locator(f"figure.vae-picture img[alt^='{picture}']").first).to_be_visible()


def test_without_the_live_script_the_pad_page_says_why_there_is_no_pad(
    blocked_page: Page, streamlit_server: str, app_idle
):
    """The pad has no server-drawn twin (it is a pointer over a canvas): the page says so and where the server draws
    the decoder's pictures instead; where the script runs, the note is hidden (tests/browser/test_pad.py)."""
    blocked_page.goto(f"{streamlit_server}/pad?model=mnist-z2")
    app_idle(blocked_page)
    expect(blocked_page.get_by_text(NO_SCRIPT)).to_be_visible()
    expect(blocked_page.locator(".vae-pad")).to_have_count(0)
