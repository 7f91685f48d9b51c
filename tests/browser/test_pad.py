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
from views.controls import PAD_RANGE
from views.pages.pad import NO_SCRIPT

pytestmark = pytest.mark.browser

MODEL = "mnist-z2"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CODES = [[0.0, 0.0], [1.5, -2.0], [-3.0, 3.0], [0.3, 0.7], [2.9, 2.9], [-6.0, 6.0]]
RERUN_MS = 120_000  # the release reruns the pad's fragment, then the app; slow on a busy machine
CAPTION = re.compile(r"latent pad: z0 = (-?\d+\.\d+), z1 = (-?\d+\.\d+)")


def open_pad(page: Page, url: str, app_idle) -> None:
    """Open /pad on MODEL (the sidebar's model picker is bound to ?model=); the pad is there, and the note for a
    browser that cannot run its script is not."""
    page.goto(f"{url}/pad?model={MODEL}")
    page.wait_for_function("() => window.vaePad !== undefined")
    app_idle(page)
    expect(page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model")).to_have_value(MODEL)
    expect(page.get_by_text(NO_SCRIPT)).to_be_hidden()


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


# The pad, its decoded digit and its axes' text as drawn now.
PAD_PICTURE = """() => [document.querySelector('canvas.pad').toDataURL(),
    document.querySelector('canvas.preview').toDataURL(), document.querySelector('.vae-pad-axes').textContent]"""


def test_another_dimension_moves_the_pad_at_once_as_the_rerun_draws_it(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """On the 20-D model the pad's dimension selects are live: another horizontal dimension gives the pad its new
    axes in the choice's own task, starting again from the current digit (a code moved to with the keys, not kept,
    is let go) as the rerun's pad does: the same pictures. The vertical dimension's value for the horizontal dims
    the pad until the rerun's warning."""
    page.goto(f"{streamlit_server}/pad?model=mnist-z20")
    page.wait_for_function("() => window.vaePad !== undefined")
    app_idle(page)
    page.locator("canvas.pad").focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    selects = page.locator(".vae-choices.ready select")
    old, vertical = int(selects.nth(0).input_value()), int(selects.nth(1).input_value())
    new = next(d for d in range(20) if d not in (old, vertical))
    mounted = page.locator(".vae-pad").element_handle()
    at_once = selects.nth(0).evaluate(f"""(s) => {{
        s.value = '{new}';
        s.dispatchEvent(new Event('change', {{bubbles: true}}));
        return ({PAD_PICTURE})();
    }}""")
    assert at_once[2] == f"z{new} across, z{vertical} up, both -3 to 3"
    page.wait_for_url(re.compile(rf"pad_x_mnist-z20=z{new}\b"), timeout=RERUN_MS)
    app_idle(page)
    # The rerun mounts the pad anew (in place of this one), which draws in its next animation frame (that may come
    # after the run).
    page.wait_for_function("old => !old.isConnected", arg=mounted, timeout=RERUN_MS)
    page.wait_for_function(f"shown => ({PAD_PICTURE})()[0] === shown", arg=at_once[0])
    assert page.evaluate(PAD_PICTURE) == at_once
    selects.nth(0).evaluate(f"""(s) => {{
        s.value = '{vertical}';
        s.dispatchEvent(new Event('change', {{bubbles: true}}));
    }}""")
    expect(page.locator(".vae-pad")).to_have_class(re.compile(r"\bvae-pad-stale\b"))
    expect(page.get_by_text("Choose two different dimensions.")).to_be_visible(timeout=RERUN_MS)


def test_dragging_the_range_rescales_the_pad_live_and_its_release_reaches_python(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """The range is a live slider with two thumbs: dragging the end thumb rescales the pad as it moves, with no
    script run, and its release puts the range in the link; an arrow key on the start thumb moves it a step and the
    focus stays on that thumb over the rerun."""
    open_pad(page, streamlit_server, app_idle)
    end = page.get_by_role("slider", name="Range of both axes — end")
    expect(page.locator("[class*=st-key-vae_fallback] [data-testid=stSlider]")).to_be_hidden()  # the twin
    box = end.bounding_box()

    def x_of(value: float) -> float:  # where a thumb at `value` is: the track runs between the thumbs' centres
        return box["x"] + 12 + (box["width"] - 24) * (value - PAD_RANGE.low) / (PAD_RANGE.high - PAD_RANGE.low)
    page.evaluate(COUNT_SCRIPT_RUNS)
    before = page.evaluate(PAD_PICTURE)
    page.mouse.move(x_of(3.0), box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(x_of(1.0), box["y"] + box["height"] / 2, steps=8)
    page.wait_for_function(f"before => ({PAD_PICTURE})()[0] !== before", arg=before[0])
    assert page.evaluate(PAD_PICTURE)[2] == "z0 across, z1 up, both -3 to 1"
    assert page.evaluate("window.scriptStateChanges") == 0, "dragging should not rerun the script"
    page.mouse.up()
    page.wait_for_url(re.compile(r"pad_range=-3(\.0)?&pad_range=1(\.0)?\b"), timeout=RERUN_MS)
    app_idle(page)
    expect(page.locator(".vae-pad-axes")).to_have_text("z0 across, z1 up, both -3 to 1")
    start = page.get_by_role("slider", name="Range of both axes — start")
    start.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(".vae-pad-axes")).to_have_text("z0 across, z1 up, both -2.5 to 1")
    page.wait_for_url(re.compile(r"pad_range=-2\.5&pad_range=1(\.0)?\b"), timeout=RERUN_MS)
    app_idle(page)
    page.wait_for_function("() => document.activeElement?.getAttribute('aria-label') === 'Range of both axes — start'")
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_the_digits_behind_the_pad_are_torchs_and_the_switch_hides_them_at_once_as_the_rerun_does(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """On the 20-D model (a slice: the other dimensions at the current digit's mu) the faint digits behind the pad
    are the decoder's pictures at the centres of a grid of its cells, as torch decodes them. The switch takes them
    away in its own task, the release reruns the page with the same pad, and the link holds the switch."""
    torch.set_num_threads(1)
    page.goto(f"{streamlit_server}/pad?model=mnist-z20")
    page.wait_for_function("() => window.vaePad !== undefined")
    app_idle(page)
    shown = page.evaluate("window.vaePad.backdrop()")
    n, (dx, dy), (lo, hi) = shown["cells"], shown["dims"], shown["range"]
    centres = lo + (np.arange(n) + 0.5) / n * (hi - lo)
    codes = np.tile(np.array(shown["base"], np.float32), (n * n, 1))
    codes[:, dx] = np.tile(centres, n)  # across a row
    codes[:, dy] = np.repeat(centres[::-1], n)  # rows from the top
    with torch.inference_mode():
        probs = load(PRETRAINED_DIR / "mnist-z20").model.decode(torch.from_numpy(codes)).numpy()
    tiles = probs.reshape(n, n, 28, 28).transpose(0, 2, 1, 3).reshape(28 * n, 28 * n)
    expected = np.floor(np.clip(tiles, 0, 1) * 255 + 0.5)
    assert np.abs(np.array(shown["grey"]).reshape(28 * n, 28 * n) - expected).max() <= 1

    switch_off_at_once_as_the_rerun_does(page, app_idle, "Decoded digits behind the pad", "pad_backdrop", "decoded",
                                         "window.vaePad.backdrop()")


def test_the_test_digits_mu_are_dotted_where_they_lie_and_the_switch_hides_them_at_once_as_the_rerun_does(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """On the 2-D model each test digit's mu inside the range is a dot at its place on the pad (z0 across, z1 up),
    and the dots are nowhere else. The switch takes them away in its own task; the release reruns the page with the
    same pad, and the link holds the switch."""
    lm = model_the_page_uses(page, streamlit_server, app_idle)
    drawn = page.evaluate("window.vaePad.points()")
    (dx, dy), (lo, hi), size, scale = drawn["dims"], drawn["range"], drawn["size"], drawn["pxPerUnit"]
    alpha = np.array(drawn["alpha"]).reshape(size, size)
    mu = lm.latents["test_mu"].numpy().astype(np.float32).astype(np.float64)
    x, y = (mu[:, dx] - lo) / (hi - lo) * 320 * scale, (hi - mu[:, dy]) / (hi - lo) * 320 * scale
    inside = (x >= 0) & (x < size) & (y >= 0) & (y < size)
    col, row = x[inside].astype(int), y[inside].astype(int)
    assert inside.sum() > 9000 and (alpha[row, col] > 0).all()  # a dot on each
    near = np.zeros_like(alpha, dtype=bool)  # within 2 px of a test digit's place
    for dr in range(-2, 3):
        for dc in range(-2, 3):
            near[np.clip(row + dr, 0, size - 1), np.clip(col + dc, 0, size - 1)] = True
    assert not (alpha[~near] > 0).any()  # and nothing elsewhere

    switch_off_at_once_as_the_rerun_does(page, app_idle, "The test digits' mu, as dots", "pad_points", "test digits",
                                         "window.vaePad.points()")


def switch_off_at_once_as_the_rerun_does(page: Page, app_idle, name: str, param: str, said: str, api: str) -> None:
    """Turn off the pad's switch `name`: in the click's own task the pad is redrawn without what it shows (its
    label no longer says `said`; `api`, the test API's view of it, is false) and the rest stays; the release
    reruns the page, whose new pad draws the same, and the link holds the switch (`param`=false)."""
    before = page.evaluate(PAD_PICTURE)
    mounted = page.locator(".vae-pad").element_handle()
    at_once = page.get_by_role("switch", name=name).evaluate(f"""(s) => {{
        s.click();
        return [({PAD_PICTURE})(), document.querySelector('canvas.pad').getAttribute('aria-label')];
    }}""")
    assert at_once[0][0] != before[0] and at_once[0][1:] == before[1:]
    assert said not in at_once[1]
    assert page.evaluate(api) is False
    page.wait_for_url(re.compile(rf"{param}=false\b"), timeout=RERUN_MS)
    app_idle(page)
    page.wait_for_function("old => !old.isConnected", arg=mounted, timeout=RERUN_MS)  # the rerun's pad in its place
    page.wait_for_function(f"shown => ({PAD_PICTURE})()[0] === shown", arg=at_once[0][0])
    assert page.evaluate(PAD_PICTURE) == at_once[0]
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
