"""The picture pickers of the latent map and the manifold (views/live/pick.js) in headless Chromium: one mouse
click, one touch tap on a phone, or the arrow keys and Enter pick; presenter mode's axis labels are large."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from tests import live_app
from vae_core.latent import grid_axis

pytestmark = pytest.mark.browser

RERUN_MS = 120_000  # a pick reruns the page's fragment, then the app; slow on a busy machine
FRAME = "[data-testid=stMain] .vae-pick-frame"
READOUT = "[data-testid=stMain] .vae-pick-readout"
PICKED_DIGIT = re.compile(r"^Picked test digit #(\d+), a (\d)\.$")
PICKED_CELL = re.compile(r"^Picked z0 = (-?\d+\.\d\d), z1 = (-?\d+\.\d\d)\.$")
AXIS = grid_axis(20, eps=0.05)  # the manifold's default grid on the 2-D model


def open_picker(page: Page, url: str, url_path: str, app_idle) -> dict:
    """Open /<url_path> on the 2-D model; returns the picker's picture's box on the screen."""
    page.goto(f"{url}/{url_path}?model=mnist-z2")
    app_idle(page)
    frame = page.locator(FRAME)
    if url_path == "map":  # drawn here from the test digits' points (scatter.js)
        expect(frame.locator("canvas")).to_have_attribute("aria-label", re.compile(r"^Latent map: "))
    else:
        expect(frame.locator("img")).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    frame.scroll_into_view_if_needed()
    return frame.bounding_box()


def cell_source(col: int, row: int) -> str:
    """How the app names the current digit picked from the default grid's cell (col, row)."""
    return f"manifold cell z0 = {AXIS[col]:.2f}, z1 = {AXIS.flip(0)[row]:.2f}"


def picked_test_digit(page: Page) -> tuple[str, str]:
    """(index, label) of the test digit the line below the map says was just picked."""
    readout = page.locator(READOUT)
    expect(readout).to_have_text(PICKED_DIGIT)
    index, label = PICKED_DIGIT.match(readout.inner_text()).groups()
    return index, label


def expect_current_test_digit(page: Page, index: str, label: str) -> None:
    """The map's line about the current digit names test digit #index."""
    line = page.get_by_text(re.compile(rf"^Current digit: test digit #{index}, a {label};"))
    expect(line).to_be_visible(timeout=RERUN_MS)


def test_a_mouse_click_on_the_map_picks_the_test_digit_under_it(page: Page, streamlit_server: str, app_idle):
    box = open_picker(page, streamlit_server, "map", app_idle)
    x, y = box["x"] + 0.55 * box["width"], box["y"] + 0.5 * box["height"]  # the crowded middle of the map
    page.mouse.move(x, y)
    expect(page.locator(READOUT)).to_have_text(re.compile(r"^test digit #\d+, a \d: click to use it$"))
    expect(page.locator("[data-testid=stMain] .vae-pick-hover")).to_be_visible()  # which dot the pointer is on
    expect(page.locator("[data-testid=stMain] .vae-pick-lines polygon")).to_have_count(1)  # the 1-sigma ellipse
    page.mouse.click(x, y)
    index, label = picked_test_digit(page)
    expect_current_test_digit(page, index, label)
    caption = page.locator(live_app.DIGIT_CAPTION)
    expect(caption).to_have_text(f"test digit #{index}, a {label}")


def test_one_tap_on_a_phone_picks_on_the_map(phone: Page, streamlit_server: str, app_idle):
    box = open_picker(phone, streamlit_server, "map", app_idle)
    phone.touchscreen.tap(box["x"] + 0.45 * box["width"], box["y"] + 0.55 * box["height"])
    index, label = picked_test_digit(phone)
    expect_current_test_digit(phone, index, label)


def test_one_tap_on_a_phone_picks_a_manifold_cell(phone: Page, streamlit_server: str, app_idle):
    box = open_picker(phone, streamlit_server, "manifold", app_idle)
    col, row = 3, 5
    phone.touchscreen.tap(box["x"] + (col + 0.5) / 20 * box["width"], box["y"] + (row + 0.5) / 20 * box["height"])
    expect(phone.locator(READOUT)).to_have_text(PICKED_CELL)
    caption = phone.locator(live_app.DIGIT_CAPTION)
    expect(caption).to_have_text(cell_source(col, row), timeout=RERUN_MS)


def test_arrow_keys_and_enter_pick_a_manifold_cell_and_the_focus_stays(page: Page, streamlit_server: str, app_idle):
    open_picker(page, streamlit_server, "manifold", app_idle)
    page.locator(FRAME).focus()
    start = page.locator(READOUT).inner_text()  # the cursor starts at the current digit's cell
    match = re.match(r"^z0 = (-?\d+\.\d\d), z1 = (-?\d+\.\d\d): Enter picks it$", start)
    assert match, start
    col = [f"{v:.2f}" for v in AXIS].index(match[1])
    row = [f"{v:.2f}" for v in AXIS.flip(0)].index(match[2])
    expect(page.locator("[data-testid=stMain] .vae-pick-cursor")).to_be_visible()
    for key in ("ArrowLeft", "ArrowLeft", "ArrowUp"):
        page.keyboard.press(key)
    col, row = max(0, col - 2), max(0, row - 1)
    expect(page.locator(READOUT)).to_have_text(f"z0 = {AXIS[col]:.2f}, z1 = {AXIS.flip(0)[row]:.2f}: Enter picks it")
    page.keyboard.press("Enter")
    caption = page.locator(live_app.DIGIT_CAPTION)
    expect(caption).to_have_text(cell_source(col, row), timeout=RERUN_MS)
    app_idle(page)
    expect(page.locator(FRAME)).to_be_focused()  # the keyboard user can go on picking


def test_arrow_keys_and_enter_pick_a_test_digit_on_the_map(page: Page, streamlit_server: str, app_idle):
    open_picker(page, streamlit_server, "map", app_idle)
    page.locator(FRAME).focus()
    first = page.locator(READOUT).inner_text()
    assert re.match(r"^test digit #\d+, a \d: Enter picks it$", first), first
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    moved = page.locator(READOUT).inner_text()
    assert moved != first and moved.endswith(": Enter picks it")
    page.keyboard.press(" ")
    index, label = picked_test_digit(page)
    assert moved.startswith(f"test digit #{index}, a {label}")
    expect_current_test_digit(page, index, label)


MARKS = """f => ({
    cross: ['left', 'top'].map((side) => parseFloat(f.querySelector('.vae-pick-cross').style[side]) / 100),
    ellipse: f.querySelector('svg polygon').getAttribute('points').split(' ').map((p) => p.split(',').map(Number)),
})"""


def test_a_map_pick_moves_the_marks_at_once_to_where_the_server_draws_them(
    page: Page, streamlit_server: str, app_idle
):
    """pick.js draws the picked digit's cross and 1-sigma ellipse in the very task of the pick, before any reply
    can arrive; the rerun's marks (the server's, from the digit's own posterior) are the same within a pixel."""
    box = open_picker(page, streamlit_server, "map", app_idle)
    frame = page.locator(FRAME)
    frame.focus()
    page.keyboard.press("ArrowRight")
    before = frame.evaluate(MARKS)
    at_once = frame.evaluate(f"""f => {{
        f.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true, cancelable: true}}));
        return ({MARKS})(f);
    }}""")
    assert at_once["cross"] != before["cross"]
    index, label = picked_test_digit(page)
    expect_current_test_digit(page, index, label)
    served = frame.evaluate(MARKS)
    pixel = 1 / box["width"]
    assert served["cross"] == pytest.approx(at_once["cross"], abs=pixel)
    # The same outline (the corners of the two 60-gons may sit elsewhere on it): each one's corners lie within a
    # pixel of the other's edges.
    assert distances_to_outline(served["ellipse"], at_once["ellipse"]).max() <= pixel
    assert distances_to_outline(at_once["ellipse"], served["ellipse"]).max() <= pixel


def distances_to_outline(points: list, outline: list) -> np.ndarray:
    """The distance of each point to the nearest edge of the closed polygon `outline` (its first corner is also its
    last)."""
    p, corners = np.asarray(points)[:, None, :], np.asarray(outline)
    a, b = corners[:-1][None], corners[1:][None]
    t = np.clip(((p - a) * (b - a)).sum(-1) / ((b - a) ** 2).sum(-1), 0, 1)[..., None]
    return np.linalg.norm(p - (a + t * (b - a)), axis=-1).min(1)


@pytest.mark.parametrize("url_path", ["map", "manifold"])
def test_presenter_mode_draws_the_axes_large(browser: Browser, streamlit_server: str, app_idle, url_path: str):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        open_picker(page, streamlit_server, url_path, app_idle)
        normal = page.locator("[data-testid=stMain] .vae-pick-xticks span").first.evaluate(
            "el => parseFloat(getComputedStyle(el).fontSize)")
        page.locator("[data-testid=stSidebar]").get_by_text("Presenter mode").click()
        page.wait_for_timeout(500)
        app_idle(page)
        labels = page.locator("[data-testid=stMain] .vae-pick :is(.vae-pick-xticks, .vae-pick-yticks) span, "
                              "[data-testid=stMain] :is(.vae-pick-xtitle, .vae-pick-ytitle)")
        sizes = labels.evaluate_all("els => els.map(el => parseFloat(getComputedStyle(el).fontSize))")
        assert len(sizes) >= 6 and min(sizes) >= 20 > normal, sizes
    finally:
        context.close()


# The manifold's picker as seen by a test: its picture's src and alt, its column values, and whether it is dimmed.
MANIFOLD_SHOWS = """f => ({src: f.querySelector('img').getAttribute('src'), alt: f.querySelector('img').alt,
    ticks: [...f.closest('.vae-pick').querySelectorAll('.vae-pick-xticks span')].map(s => s.textContent),
    stale: f.closest('.vae-pick').classList.contains('vae-pick-stale')})"""


def move_live_slider(page: Page, label: str, value: float) -> dict:
    """In one task: move the live slider `label` to `value` (its input event, as a drag's move) and read what the
    manifold's picker shows then, before any reply can arrive; then release it (its change event)."""
    slider = page.locator(".vae-sliders.ready .vae-slider").filter(has_text=label).locator("input")
    shows = slider.evaluate(f"""(s, value) => {{
        s.value = value;
        s.dispatchEvent(new Event('input', {{bubbles: true}}));
        return ({MANIFOLD_SHOWS})(document.querySelector('{FRAME}'));
    }}""", value)
    slider.dispatch_event("change")
    return shows


def test_a_grid_size_one_step_away_shows_at_once_and_the_release_brings_the_next(
    page: Page, streamlit_server: str, app_idle
):
    """The manifold's live grid size slider: the picker holds the grids of n - 1 and n + 1, so one step (a key
    press) shows the new grid in the same task, and the release's rerun draws the same; a size further away dims
    the picture until its release brings it."""
    open_picker(page, streamlit_server, "manifold", app_idle)
    frame = page.locator(FRAME)
    at_once = move_live_slider(page, "Grid size n", 21)
    assert at_once["alt"].startswith("Manifold: 21 x 21 digits") and not at_once["stale"]
    page.wait_for_url(re.compile(r"manifold_n=21"))
    app_idle(page)
    assert frame.evaluate(MANIFOLD_SHOWS) == at_once  # the rerun's picture, axes and text are the ones shown
    far = move_live_slider(page, "Grid size n", 26)
    assert far["stale"] and far["alt"].startswith("Manifold: 21 x 21")  # dimmed, not a wrong grid passed off as 26
    page.wait_for_url(re.compile(r"manifold_n=26"))
    app_idle(page)
    served = frame.evaluate(MANIFOLD_SHOWS)
    assert served["alt"].startswith("Manifold: 26 x 26 digits") and not served["stale"]


def test_steps_back_and_forth_keep_showing_the_held_grids_at_once(page: Page, streamlit_server: str, app_idle):
    """Each run holds up to six grids (its own, two sizes, two eps, the other spacing): going back and forth between two
    sizes sends more than the browser keeps of pictures no picker shows, yet every step shows its grid at once (the
    picker holds its variants' sources, pick.js holdSources): the picture itself, not only its text."""
    open_picker(page, streamlit_server, "manifold", app_idle)
    move_live_slider(page, "Grid size n", 30)  # the largest size: the run holds one other size, not two
    page.wait_for_url(re.compile(r"manifold_n=30"))
    app_idle(page)
    for n in (29, 30, 29, 30, 29, 30):
        before = page.locator(FRAME).evaluate(MANIFOLD_SHOWS)
        at_once = move_live_slider(page, "Grid size n", n)
        assert at_once["alt"].startswith(f"Manifold: {n} x {n} digits") and not at_once["stale"], (n, at_once)
        assert at_once["src"] != before["src"], n  # the picture itself, not only its text
        page.wait_for_url(re.compile(rf"manifold_n={n}"))
        app_idle(page)


def test_an_eps_one_step_away_shows_at_once_and_a_grid_size_moved_too_dims(
    page: Page, streamlit_server: str, app_idle
):
    """The manifold's live eps slider: the picker holds the grids of eps -/+ one step, so one step shows the new
    grid (new axes) in the same task, as the release's rerun draws it. Moving the grid size as well before a rerun
    asks for a grid the picker lacks: dimmed until the release brings it."""
    open_picker(page, streamlit_server, "manifold", app_idle)
    frame = page.locator(FRAME)
    before = frame.evaluate(MANIFOLD_SHOWS)
    at_once = move_live_slider(page, "eps", 0.06)
    assert at_once["src"] != before["src"] and at_once["ticks"] != before["ticks"] and not at_once["stale"]
    page.wait_for_url(re.compile(r"manifold_eps=0.06"))
    app_idle(page)
    assert frame.evaluate(MANIFOLD_SHOWS) == at_once  # the rerun's picture, axes and text are the ones shown
    slider = page.locator(".vae-sliders.ready .vae-slider").filter(has_text="eps").locator("input")
    both = slider.evaluate(f"""(s) => {{
        const n = document.querySelector('.vae-sliders.ready input[data-key=manifold_n]');
        n.value = 21; n.dispatchEvent(new Event('input', {{bubbles: true}}));
        s.value = 0.07; s.dispatchEvent(new Event('input', {{bubbles: true}}));
        return ({MANIFOLD_SHOWS})(document.querySelector('{FRAME}'));
    }}""")
    assert both["stale"] and both["alt"].startswith("Manifold: 21 x 21")  # the size's grid, then dimmed


def test_the_other_spacing_shows_at_once_and_the_rerun_draws_the_same(page: Page, streamlit_server: str, app_idle):
    """The manifold's spacing is a live choice: the picker holds the other spacing's grid, so a click on it shows
    the new grid and axes in the same task, and the release's rerun draws the same, with the z-range slider in
    place of eps."""
    open_picker(page, streamlit_server, "manifold", app_idle)
    frame = page.locator(FRAME)
    expect(page.locator(".st-key-manifold_spacing")).to_be_hidden()  # the Streamlit radio, the twin
    before = frame.evaluate(MANIFOLD_SHOWS)
    linear = page.locator(".vae-choices.ready[data-group=manifold]").get_by_role("radio", name="linear")
    at_once = linear.evaluate(f"""(radio) => {{
        radio.click();
        return ({MANIFOLD_SHOWS})(document.querySelector('{FRAME}'));
    }}""")
    assert at_once["src"] != before["src"] and not at_once["stale"]
    assert at_once["ticks"][0] == "-3.00"  # linear's default z-range, where gaussian's first tick is a quantile
    page.wait_for_url(re.compile(r"manifold_spacing=linear"))
    app_idle(page)
    assert frame.evaluate(MANIFOLD_SHOWS) == at_once  # the rerun's picture, axes and text are the ones shown
    expect(page.locator(".vae-sliders.ready .vae-slider").filter(has_text="z-range")).to_be_visible()
    expect(linear).to_be_checked()


def test_a_sidebar_class_button_marks_its_test_digit_on_the_map_at_once(page: Page, streamlit_server: str, app_idle):
    """The digit panel tells the map which test digit a button makes current: its marks move in the press's own
    task, to where the rerun then draws them."""
    box = open_picker(page, streamlit_server, "map", app_idle)
    frame = page.locator(FRAME)
    before = frame.evaluate(MARKS)
    at_once = page.locator("[data-testid=stSidebar] .vae-digits button", has_text="7").evaluate(
        f"b => (b.click(), ({MARKS})(document.querySelector('{FRAME}')))")
    assert at_once["cross"] != before["cross"]
    expect(page.get_by_text(re.compile(r"^Current digit: test digit #\d+, a 7;"))).to_be_visible(timeout=RERUN_MS)
    app_idle(page)
    served = frame.evaluate(MARKS)
    pixel = 1 / box["width"]
    assert served["cross"] == pytest.approx(at_once["cross"], abs=pixel)
    assert distances_to_outline(served["ellipse"], at_once["ellipse"]).max() <= pixel


RING = """f => {
    const ring = f.querySelector('.vae-pick-ring');
    return ring && !ring.hidden ? ['left', 'top'].map((side) => parseFloat(ring.style[side]) / 100) : null;
}"""


# (model, a class button, whether its first test digit's mu lies inside the default grid)
@pytest.mark.parametrize(("model", "digit", "inside"), [("mnist-z2", "2", True), ("mnist-z2", "3", False),
                                                       ("mnist-z20", "1", True)])
def test_a_digit_button_moves_the_manifolds_ring_at_once_to_where_the_server_draws_it(
    page: Page, streamlit_server: str, app_idle, model: str, digit: str, inside: bool
):
    """pick.js moves the red ring to the pressed button's mu in the very task of the press, or takes it away where
    that mu lies outside the grid, and the text alternative says so; the rerun's ring and text (the server's, from
    the same mu) are the same. On a slice
    through mu (z20) the new digit's cells are decoded in the browser in that task too, to within one grey level
    of the server's picture after the rerun."""
    page.goto(f"{streamlit_server}/manifold?model={model}")
    app_idle(page)
    frame, figure = page.locator(FRAME), page.locator("[data-testid=stMain] .vae-pick")
    expect(frame.locator("img")).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    if model != "mnist-z2":  # the decoder, which the live selects wait for
        expect(page.locator(".vae-select.ready select").first).to_be_visible()
    before = frame.evaluate(RING)  # the default digit's (a 4): on z20 its mu lies outside the grid, unmarked
    at_once, grid = page.locator("[data-testid=stSidebar] .vae-digits button", has_text=digit).first.evaluate(
        f"""b => {{
            b.click();
            const f = document.querySelector('{FRAME}');
            return [({RING})(f), ({GRID_PIXELS})(f)];
        }}""")
    assert (at_once is not None) == inside and at_once != before
    assert not grid["stale"] and grid["tag"] == ("IMG" if model == "mnist-z2" else "CANVAS")
    expect(page.locator(live_app.DIGIT_CAPTION)).to_have_text(re.compile(rf"^test digit #\d+, a {digit}$"),
                                                              timeout=RERUN_MS)
    app_idle(page)
    served = frame.evaluate(RING)
    if inside:
        assert served == pytest.approx(at_once, abs=1e-3)
    else:
        assert served is None
    expect(figure).not_to_have_class(re.compile("vae-pick-stale"))
    served_grid = frame.evaluate(GRID_PIXELS)
    assert served_grid["tag"] == "IMG"
    assert np.abs(np.array(served_grid["grey"]) - np.array(grid["grey"])).max() <= 1
    assert served_grid["alt"] == grid["alt"]  # the text alternative says at once whether there is a ring


MAP_SHOWS = """f => {
    const canvas = f.querySelector('canvas');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 0;  // a checksum of the picture: equal pictures, equal sums
    for (let i = 0; i < pixels.length; i += 4) {
        hash = (hash * 31 + pixels[i] + 7 * pixels[i + 1] + 13 * pixels[i + 2]) % 1e9;
    }
    const figure = f.closest('.vae-pick');
    return {
        hash, label: canvas.getAttribute('aria-label'),
        legend: [...figure.querySelectorAll('.vae-pick-legend li')].map((li) => li.textContent),
        ticks: [...figure.querySelectorAll('.vae-pick-xticks span')].map((s) => s.textContent),
        cross: f.querySelector('.vae-pick-cross')?.style.cssText,
    };
}"""


def test_a_class_pill_redraws_the_map_at_once_and_the_rerun_draws_the_same(
    page: Page, streamlit_server: str, app_idle
):
    """The map's class pills are live: a click redraws the map without the class in the click's own task (the
    picture, its text alternative and legend), and the release's rerun draws the same, with the class off in the
    link and in the hidden Streamlit pills."""
    open_picker(page, streamlit_server, "map", app_idle)
    frame = page.locator(FRAME)
    expect(page.locator(".st-key-map_classes")).to_be_hidden()  # the Streamlit pills, the twin
    before = frame.evaluate(MAP_SHOWS)
    pill = page.locator(".vae-pills.ready").get_by_role("checkbox", name="3", exact=True)
    at_once = pill.evaluate(f"(input) => (input.click(), ({MAP_SHOWS})(document.querySelector('{FRAME}')))")
    assert at_once["hash"] != before["hash"]
    assert "of the classes 0, 1, 2, 4, 5, 6, 7, 8, 9," in at_once["label"] and "3" not in at_once["legend"]
    page.wait_for_url(re.compile(r"map_classes=4"))
    app_idle(page)
    assert "map_classes=3" not in page.url
    assert frame.evaluate(MAP_SHOWS) == at_once  # the rerun's picture, text and legend are the ones shown
    assert page.locator(".st-key-map_classes button[aria-pressed=true]").all_text_contents() == [
        str(c) for c in range(10) if c != 3]
    expect(pill).not_to_be_checked()


def test_with_one_class_shown_the_keyboard_and_a_click_pick_only_its_digits(
    page: Page, streamlit_server: str, app_idle
):
    """The click targets follow the classes shown: with only the 1s on the map, the keyboard's cursor and a click
    in the map's crowded middle land on 1s (the pills are keyboard controls too: Space toggles, the focus stays)."""
    box = open_picker(page, streamlit_server, "map", app_idle)
    pills = page.locator(".vae-pills.ready")
    for c in (0, 2, 3, 4, 5, 6, 7, 8, 9):
        pills.get_by_role("checkbox", name=str(c), exact=True).focus()
        page.keyboard.press("Space")
        expect(pills.get_by_role("checkbox", name=str(c), exact=True)).not_to_be_checked()
        app_idle(page)
        expect(pills.get_by_role("checkbox", name=str(c), exact=True)).to_be_focused()
    expect(page.locator(FRAME).locator("canvas")).to_have_attribute("aria-label", re.compile("of the classes 1,"))
    page.locator(FRAME).focus()
    page.keyboard.press("ArrowLeft")
    assert re.match(r"^test digit #\d+, a 1: Enter picks it$", page.locator(READOUT).inner_text())
    page.mouse.click(box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"])
    index, label = picked_test_digit(page)
    assert label == "1"
    expect_current_test_digit(page, index, label)


def test_the_range_switch_shows_the_other_range_at_once_and_the_rerun_draws_the_same(
    page: Page, streamlit_server: str, app_idle
):
    """The range switch is live: the picker holds the other range's axes and marks, so a click redraws the map over
    every point in the click's own task, and the rerun draws the same."""
    open_picker(page, streamlit_server, "map", app_idle)
    frame = page.locator(FRAME)
    before = frame.evaluate(MAP_SHOWS)
    switch = page.locator(".vae-switch.ready").get_by_role("switch", name="Same z-range as the manifold")
    expect(switch).to_be_checked()
    at_once = switch.evaluate(f"(input) => (input.click(), ({MAP_SHOWS})(document.querySelector('{FRAME}')))")
    assert at_once["hash"] != before["hash"] and at_once["ticks"] != before["ticks"]
    assert at_once["cross"] != before["cross"]  # the current digit's mark, on the new axes
    page.wait_for_url(re.compile(r"map_manifold_range=false"))
    app_idle(page)
    assert frame.evaluate(MAP_SHOWS) == at_once
    expect(switch).not_to_be_checked()


GRID_PIXELS = """(f) => {
    // The grid's grey levels as shown: the canvas drawn here, or the server's picture drawn onto one.
    const shown = [...f.querySelectorAll('img, canvas')].find((e) => !e.hidden);
    const [w, h] = shown.tagName === 'IMG' ? [shown.naturalWidth, shown.naturalHeight] : [shown.width, shown.height];
    const c = document.createElement('canvas');
    [c.width, c.height] = [w, h];
    c.getContext('2d').drawImage(shown, 0, 0);
    const d = c.getContext('2d').getImageData(0, 0, w, h).data;
    return {
        tag: shown.tagName, size: [w, h], grey: Array.from({length: w * h}, (_, i) => d[4 * i]),
        alt: shown.tagName === 'IMG' ? shown.alt : shown.getAttribute('aria-label'),
        titles: ['x', 'y'].map((a) => f.closest('.vae-pick').querySelector(`.vae-pick-${a}title`).textContent),
        stale: f.closest('.vae-pick').classList.contains('vae-pick-stale'),
    };
}"""


def test_another_dimension_decodes_its_grid_at_once_as_the_server_draws_it(
    page: Page, streamlit_server: str, app_idle
):
    """On the 20-D model the dimension selects are live: another horizontal dimension's grid is decoded in the
    browser in the choice's own task (titles and text alternative too), and the server's picture after the rerun
    is the same to within one grey level (the browser's decoder agrees with torch to 1e-4). The vertical
    dimension's value for the horizontal dims the picture until the rerun's warning."""
    page.goto(f"{streamlit_server}/manifold?model=mnist-z20")
    app_idle(page)
    frame = page.locator(FRAME)
    expect(page.locator(".st-key-manifold_dim_x")).to_be_hidden()  # the Streamlit select box, the twin
    select = page.locator(".vae-select.ready select").first
    old = int(select.input_value())
    vertical = int(page.locator(".vae-select.ready select").nth(1).input_value())
    new = next(d for d in range(20) if d not in (old, vertical))
    at_once = select.evaluate(f"""(s) => {{
        s.value = '{new}';
        s.dispatchEvent(new Event('change', {{bubbles: true}}));
        return ({GRID_PIXELS})(document.querySelector('{FRAME}'));
    }}""")
    assert at_once["tag"] == "CANVAS" and at_once["titles"][0] == f"z{new}" and not at_once["stale"]
    assert f"z{new} from " in at_once["alt"]
    page.wait_for_url(re.compile(rf"manifold_dim_x=z{new}\b"))
    app_idle(page)
    served = frame.evaluate(GRID_PIXELS)
    assert served["tag"] == "IMG" and served["size"] == at_once["size"]
    assert (served["alt"], served["titles"]) == (at_once["alt"], at_once["titles"])
    assert np.abs(np.array(served["grey"]) - np.array(at_once["grey"])).max() <= 1
    same = select.evaluate(f"""(s) => {{
        s.value = '{vertical}';
        s.dispatchEvent(new Event('change', {{bubbles: true}}));
        return ({GRID_PIXELS})(document.querySelector('{FRAME}'));
    }}""")
    assert same["stale"]
    expect(page.get_by_text("Choose two different dimensions.")).to_be_visible(timeout=RERUN_MS)
