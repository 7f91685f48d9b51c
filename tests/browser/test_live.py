"""Live controls in headless Chromium: dragging a live slider redraws its picture in the browser with no script
run, and on release the value reaches Python (the URL holds it, and the slider is drawn again from the value its
Streamlit twin returned)."""

from __future__ import annotations

import base64
import io
import re
import time
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.live_app import COUNT_SCRIPT_RUNS, DIGIT_CAPTION, PICTURE_CHANGED

pytestmark = pytest.mark.browser

MODEL = "mnist-z2"
RERUN_MS = 120_000


# A canvas's size and grey levels, read in one task (a rerun may resize it between two reads).
CANVAS_GREY = """c => [[c.height, c.width],
    Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0))]"""


def grey_array(shape_and_grey: list) -> np.ndarray:
    """CANVAS_GREY's result as an (H, W) array."""
    shape, grey = shape_and_grey
    return np.array(grey, dtype=int).reshape(shape)


def canvas_grey(canvas: Locator) -> np.ndarray:
    """A live picture's canvas as grey levels (H, W), as it is drawn now."""
    return grey_array(canvas.evaluate(CANVAS_GREY))


def picture_grey(src: str) -> np.ndarray:
    """A server picture (a PNG data URI, pictures.picture_html) as grey levels (H, W)."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("L"), dtype=int)


@pytest.mark.parametrize(("path", "group", "only"), [
    ("mean", "mean", ""), ("variance", "variance", ""), ("sample", "sample", ""),
    ("sample", "sample", "[data-key=sample_pick]"),  # Sample #: the framed draw follows the thumb
    ("interpolate", "interp", ""), ("interpolate", "interp_steps", ""), ("reconstruct", "recon", "")])
def test_dragging_a_live_slider_redraws_live_and_release_reaches_python(
    page: Page, streamlit_server: str, app_idle, path: str, group: str, only: str
) -> None:
    page.goto(f"{streamlit_server}/{path}?model={MODEL}")
    app_idle(page)
    picture = page.locator(f".vae-live-picture.ready[data-group={group}] canvas").first
    expect(picture).to_be_visible()
    expect(page.locator("[class*=st-key-vae_fallback]").first).to_be_hidden()  # one slider on screen, not two
    slider = page.locator(f".vae-sliders.ready[data-group={group}] input[type=range]{only}").first
    key = slider.get_attribute("data-key")
    box = slider.bounding_box()
    page.wait_for_function("g => window.vaeLive?.stats(g).drawn > 0", arg=group)
    before = picture.evaluate("c => c.toDataURL()")
    page.evaluate(COUNT_SCRIPT_RUNS)

    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 0.5 * box["width"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + 0.85 * box["width"], y, steps=12)
    page.wait_for_function(PICTURE_CHANGED, arg=[picture.element_handle(), before])
    assert page.evaluate("window.scriptStateChanges") == 0, "dragging should not rerun the script"
    released = page.evaluate(f"window.vaeLive.values('{group}')['{key}']")
    assert picture.get_attribute("aria-label")  # the canvas says what it shows

    page.mouse.up()
    page.wait_for_function("k => new URL(location.href).searchParams.has(k)", arg=key, timeout=RERUN_MS)
    app_idle(page)
    in_url = float(parse_qs(urlparse(page.url).query)[key][0])
    assert in_url == pytest.approx(released)
    # The live slider is drawn again from the value the st.slider twin returned in Python's run.
    assert float(page.locator(f".vae-sliders input[data-key={key}]").input_value()) == pytest.approx(released)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_a_finger_dragging_a_live_slider_on_a_phone_redraws_live_and_its_lift_reaches_python(
    phone: Page, streamlit_server: str, app_idle
) -> None:
    """On a phone, a finger on the live slider's track: the picture follows while it moves (no script run), and
    lifting it is the release. Touch events as the phone's screen sends them (Playwright's touchscreen only taps)."""
    phone.goto(f"{streamlit_server}/variance?model={MODEL}")
    app_idle(phone)
    picture = phone.locator(".vae-live-picture.ready[data-group=variance] canvas")
    slider = phone.locator(".vae-sliders.ready[data-group=variance] input[type=range]")
    slider.scroll_into_view_if_needed()
    phone.wait_for_function("() => window.vaeLive?.stats('variance').drawn > 0")
    before = picture.evaluate("c => c.toDataURL()")
    phone.evaluate(COUNT_SCRIPT_RUNS)
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    screen = phone.context.new_cdp_session(phone)

    def touch(kind: str, fraction: float | None = None) -> None:
        points = [] if fraction is None else [{"x": box["x"] + fraction * box["width"], "y": y}]
        screen.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", 0.3)
    for step in range(1, 11):
        touch("touchMove", 0.3 + 0.05 * step)
    phone.wait_for_function(PICTURE_CHANGED, arg=[picture.element_handle(), before])
    assert phone.evaluate("window.scriptStateChanges") == 0, "a finger moving should not rerun the script"
    moved_to = phone.evaluate("window.vaeLive.values('variance')['variance_scale']")
    assert moved_to == pytest.approx(float(slider.input_value()))

    touch("touchEnd")
    phone.wait_for_function("() => new URL(location.href).searchParams.has('variance_scale')", timeout=RERUN_MS)
    app_idle(phone)
    assert float(parse_qs(urlparse(phone.url).query)["variance_scale"][0]) == pytest.approx(moved_to)
    assert float(phone.locator(".vae-sliders input[data-key=variance_scale]").input_value()) == pytest.approx(moved_to)
    expect(phone.locator("[data-testid=stException]")).to_have_count(0)


def test_the_live_strip_grows_with_its_slider_and_shows_the_servers_reconstructions(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """Reconstruct's live strip (live.js mode 'count'): a key press adds a picture at once, and the strip drawn in
    the browser is, pixel for pixel (to one grey level), the one the server draws for the released count."""
    page.goto(f"{streamlit_server}/reconstruct?model={MODEL}")
    app_idle(page)
    canvas = page.locator(".vae-live-picture.ready[data-group=recon] canvas")
    page.wait_for_function("() => window.vaeLive?.stats('recon').drawn > 0")
    assert canvas.evaluate("c => c.width") == 4 * 30 + 2  # 4 pictures, image_grid's padding of 2
    page.locator(".vae-sliders.ready input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("c => c.width === 5 * 30 + 2", arg=canvas.element_handle())
    page.wait_for_function("() => new URL(location.href).searchParams.get('recon_samples') === '5'",
                           timeout=RERUN_MS)
    app_idle(page)
    page.wait_for_function("() => window.vaeLive.stats('recon').drawn > 1")
    live = canvas_grey(canvas)
    server = picture_grey(page.locator("img[alt^='5 stochastic reconstructions']").get_attribute("src"))
    assert server.shape == live.shape == (32, 152)
    assert np.abs(server - live).max() <= 1
    assert canvas.get_attribute("aria-label").startswith("5 stochastic reconstructions")


def test_the_live_resample_button_shows_the_next_draws_at_once_and_the_server_draws_the_same(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """Variance's Resample button is live: in the animation frame after a press the grid shows the next draw (the
    live picture held its noise), before any reply; the release then reaches Python (the URL, the Draw box), and
    the server's grid for that draw is the same picture (to one grey level). Pressed from the keyboard, the button
    keeps the focus over the rerun."""
    page.goto(f"{streamlit_server}/variance?model={MODEL}")
    app_idle(page)
    grid = page.locator(".st-key-live_variance_grid .vae-live-picture.ready")
    button = page.locator(".vae-stepper.ready[data-group=variance] button")
    expect(button).to_have_text("Resample")
    expect(page.locator(".st-key-variance_resample")).to_be_hidden()  # the Streamlit twin
    page.wait_for_function("() => window.vaeLive?.stats('variance').drawn > 0")
    before = grid.locator("canvas").evaluate("c => c.toDataURL()")
    caption, after = button.evaluate("""async (b) => {
        b.click();
        await new Promise((frame) => requestAnimationFrame(frame));  // after the picture's own frame callback
        const figure = document.querySelector('.st-key-live_variance_grid .vae-live-picture');
        return [figure.querySelector('figcaption').textContent, figure.querySelector('canvas').toDataURL()];
    }""")
    assert "(draw 1," in caption and after != before
    page.wait_for_function("() => new URL(location.href).searchParams.get('variance_draws') === '1'",
                           timeout=RERUN_MS)
    app_idle(page)
    expect(page.get_by_role("spinbutton", name="Draw")).to_have_value("1")
    live = canvas_grey(grid.locator("canvas"))
    server = picture_grey(page.locator("img[alt^='grid of 16 digits']").get_attribute("src"))
    assert server.shape == live.shape == (122, 122) and np.abs(server - live).max() <= 1
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URL(location.href).searchParams.get('variance_draws') === '2'",
                           timeout=RERUN_MS)
    app_idle(page)
    page.wait_for_function("() => document.activeElement?.closest('.vae-stepper') !== null")
    expect(grid.locator("figcaption")).to_contain_text("(draw 2,")


def test_the_live_samples_choice_shows_another_number_of_draws_at_once_and_the_server_draws_the_same(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """Sample's number of draws is a live choice: in the choice's own task the grid has that many draws (the live
    picture held them; its frame is the next one), and after the run it is the server's grid (to one grey level);
    the arrow keys move the choice like any radio group's and keep the focus over the rerun."""
    page.goto(f"{streamlit_server}/sample?model={MODEL}")
    app_idle(page)
    choices = page.locator(".vae-choices.ready[data-group=sample]")
    expect(choices.get_by_role("radio", name="16")).to_be_checked()
    expect(page.locator(".st-key-sample_count")).to_be_hidden()  # the Streamlit select box, the twin
    page.wait_for_function("() => window.vaeLive?.stats('sample').drawn > 0")
    width, caption = choices.get_by_role("radio", name="64").evaluate("""(radio) => {
        radio.click();
        const figure = document.querySelector('.st-key-live_sample_grid .vae-live-picture');
        return [figure.querySelector('canvas').width, figure.querySelector('figcaption').textContent];
    }""")
    assert width == 8 * 30 + 2 and caption.startswith("64 draws at T = 1.0 (draw 0,")
    page.wait_for_function("() => new URL(location.href).searchParams.get('sample_count') === '64'",
                           timeout=RERUN_MS)
    app_idle(page)
    live = canvas_grey(page.locator(".st-key-live_sample_grid canvas"))
    server = picture_grey(page.locator("img[alt^='8 by 8 grid of 64 digits']").get_attribute("src"))
    assert server.shape == live.shape == (242, 242) and np.abs(server - live).max() <= 1
    choices.get_by_role("radio", name="64").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => new URL(location.href).searchParams.get('sample_count') === '36'",
                           timeout=RERUN_MS)
    app_idle(page)
    expect(page.locator(".st-key-live_sample_grid figcaption")).to_contain_text("36 draws")
    page.wait_for_function("() => document.activeElement?.matches('.vae-choices input[value=\"36\"]')")


def cell_centre(canvas: Locator, index: int, nrow: int) -> tuple[float, float]:
    """Where cell `index` (from 0) of a live grid (padding 2 around 28-px cells) is on the screen."""
    box, width = canvas.bounding_box(), canvas.evaluate("c => c.width")
    scale = box["width"] / width
    return (box["x"] + (2 + (index % nrow) * 30 + 14) * scale, box["y"] + (2 + (index // nrow) * 30 + 14) * scale)


def framed_cells(grey: np.ndarray, nrow: int) -> list[int]:
    """The cells (from 0) of a grid whose outer two pixels are white all round (render.outline_cell)."""
    def ring(k: int) -> np.ndarray:
        top, left = 2 + (k // nrow) * 30, 2 + (k % nrow) * 30
        frame = grey[top: top + 28, left: left + 28].copy()
        frame[2:26, 2:26] = 255
        return frame
    return [k for k in range(nrow * nrow) if (ring(k) == 255).all()]


def test_a_click_on_a_sample_frames_it_in_the_clicks_task_and_python_gets_the_choice(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """Sample's grid is a choice too: a click on a draw frames it in the click's own task and moves the live Sample #
    slider there, and its release reaches Python (the link, the server's grid framed the same, to one grey level)."""
    page.goto(f"{streamlit_server}/sample?model={MODEL}")
    app_idle(page)
    canvas = page.locator(".st-key-live_sample_grid .vae-live-picture.ready canvas")
    page.wait_for_function("() => window.vaeLive?.stats('sample').drawn > 0")
    assert framed_cells(canvas_grey(canvas), 4) == [0]  # Sample # 1
    x, y = cell_centre(canvas, 5, 4)
    pixels, alt, slider = canvas.evaluate("""(c, [x, y]) => {
        c.dispatchEvent(new MouseEvent('click', {clientX: x, clientY: y, bubbles: true}));
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0);
        const s = document.querySelector('.vae-sliders[data-group=sample] input[data-key=sample_pick]');
        return [Array.from(d), c.getAttribute('aria-label'), s.value];
    }""", [x, y])
    assert framed_cells(np.array(pixels).reshape(122, 122), 4) == [5] and slider == "6"
    assert alt.endswith("sample #6 framed")
    page.wait_for_function("() => new URL(location.href).searchParams.get('sample_pick') === '6'", timeout=RERUN_MS)
    app_idle(page)
    server = picture_grey(page.locator("img[alt$='sample #6 framed']").get_attribute("src"))
    live = canvas_grey(canvas)
    assert framed_cells(live, 4) == [5] and np.abs(server - live).max() <= 1


def test_a_tap_on_a_sample_on_a_phone_chooses_it(phone: Page, streamlit_server: str, app_idle) -> None:
    phone.goto(f"{streamlit_server}/sample?model={MODEL}")
    app_idle(phone)
    canvas = phone.locator(".st-key-live_sample_grid .vae-live-picture.ready canvas")
    phone.wait_for_function("() => window.vaeLive?.stats('sample').drawn > 0")
    canvas.scroll_into_view_if_needed()
    phone.touchscreen.tap(*cell_centre(canvas, 15, 4))
    phone.wait_for_function("() => new URL(location.href).searchParams.get('sample_pick') === '16'",
                            timeout=RERUN_MS)
    app_idle(phone)
    assert framed_cells(canvas_grey(canvas), 4) == [15]


def test_reruns_that_change_a_live_picture_leave_one_listener_per_element_of_its_group(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """Each choice of Variance's number of draws and each slider release reruns the page with new data for its live
    grid, which is mounted again in the same place. The elements following the group stay as many as after the
    first load: a mount's last cleanup runs before the new one (Streamlit calls it only when the element goes), so
    no old picture is left drawing on every change of the group."""
    page.goto(f"{streamlit_server}/variance?model={MODEL}")
    app_idle(page)
    page.wait_for_function("() => window.vaeLive?.stats('variance').drawn > 0")
    following = page.evaluate("window.vaeLive.listeners('variance')")
    assert following >= 2  # the grid and the slider (a Reset-like follower), at least
    choices = page.locator(".vae-choices.ready[data-group=variance]")
    for count in ("36", "16", "64", "16"):
        choices.get_by_role("radio", name=count).check()
        page.wait_for_function("c => (new URL(location.href).searchParams.get('variance_count') ?? '16') === c",
                               arg=count, timeout=RERUN_MS)  # the default is left out of the URL
        app_idle(page)
    slider = page.locator(".vae-sliders.ready[data-group=variance] input[type=range]").first
    for key in ("ArrowRight", "ArrowLeft"):
        slider.focus()
        page.keyboard.press(key)
        app_idle(page)
    expect(page.locator(".st-key-live_variance_grid figcaption")).to_contain_text("16 decoded samples")
    assert page.evaluate("window.vaeLive.listeners('variance')") == following


def test_the_live_unit_choice_swaps_the_traversal_table_and_the_moved_digit_at_once(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """Mean's unit of the offsets is a live choice: in the animation frame after a choice the traversal table is
    the other unit's and the moved digit is redrawn with the other unit's step (both held by the page); the
    release then reaches Python (the URL)."""
    page.goto(f"{streamlit_server}/mean?model={MODEL}")
    app_idle(page)
    live_slider = page.locator(".vae-sliders.ready[data-group=mean] input[type=range]").first
    live_slider.focus()
    page.keyboard.press("ArrowRight")  # an offset, so that the unit changes the moved digit
    page.wait_for_function("() => new URL(location.href).search.includes('mean_shift_')", timeout=RERUN_MS)
    app_idle(page)
    expect(page.locator(".st-key-mean_unit")).to_be_hidden()  # the Streamlit radio, the twin
    posterior = page.locator(".vae-choices.ready[data-group=mean]").get_by_role("radio", name="posterior sigma_i")
    before = page.locator(".st-key-live_mean_picture canvas").evaluate("c => c.toDataURL()")
    alt, caption, after = posterior.evaluate("""async (radio) => {
        radio.click();
        await new Promise((frame) => requestAnimationFrame(frame));  // after the picture's own frame callback
        const table = document.querySelector('.st-key-live_mean_table .vae-table');
        const canvas = document.querySelector('.st-key-live_mean_picture canvas');
        return [table.querySelector('td img').alt, table.querySelector('caption').textContent, canvas.toDataURL()];
    }""")
    assert alt.endswith("posterior sigma_i") and caption.startswith("traversal table in posterior sigma_i")
    assert after != before
    page.wait_for_function("() => new URL(location.href).searchParams.get('mean_unit') === 'posterior sigma_i'",
                           timeout=RERUN_MS)
    app_idle(page)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_the_live_reset_moves_the_offsets_and_the_picture_back_at_once_and_python_follows(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """Mean's Reset is live: in the task of the click every offset slider's thumb and readout are back at 0 and the
    moved digit is the unmoved one again; the release then clears the offsets in Python (the URL) in one rerun, and
    keyboard focus stays on Reset."""
    page.goto(f"{streamlit_server}/mean?model={MODEL}")
    app_idle(page)
    canvas = page.locator(".st-key-live_mean_picture canvas")
    page.wait_for_function("() => window.vaeLive?.stats('mean').drawn > 0")
    unmoved = canvas.evaluate("c => c.toDataURL()")
    sliders = page.locator(".vae-sliders.ready[data-group=mean] input[type=range]")
    sliders.first.evaluate("s => { s.value = 1.5; s.dispatchEvent(new Event('input', {bubbles: true}));"
                           " s.dispatchEvent(new Event('change', {bubbles: true})); }")
    page.wait_for_function("() => new URL(location.href).search.includes('mean_shift_')", timeout=RERUN_MS)
    app_idle(page)
    assert canvas.evaluate("c => c.toDataURL()") != unmoved
    expect(page.locator(".st-key-mean_reset")).to_be_hidden()  # the Streamlit button, the twin
    reset = page.locator(".vae-stepper.ready[data-group=mean] button")
    reset.focus()
    values, readouts = reset.evaluate("""(button) => {
        button.click();
        const all = (what) => [...document.querySelectorAll(`.vae-sliders[data-group=mean] ${what}`)];
        return [all('input[type=range]').map((s) => +s.value), all('.vae-slider-value').map((r) => r.innerText)];
    }""")
    assert values == [0, 0] and readouts == ["0.0", "0.0"]
    page.evaluate("() => new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)))")
    assert canvas.evaluate("c => c.toDataURL()") == unmoved
    page.wait_for_function("() => !new URL(location.href).search.includes('mean_shift_')", timeout=RERUN_MS)
    app_idle(page)
    assert canvas.evaluate("c => c.toDataURL()") == unmoved
    page.wait_for_function("() => document.activeElement?.matches('.vae-stepper[data-group=mean] button')")


# Interpolate's three live pictures (the latent strip, the cross-fade, the frame): each canvas's pixels and text
# alternative.
INTERP_PICTURES = """() => ['latent_strip', 'crossfade', 'frame'].map((name) => {
    const canvas = document.querySelector(`.st-key-live_interp_${name} canvas`);
    return [canvas.toDataURL(), canvas.getAttribute('aria-label')];
})"""
# Each of them drawn: a rerun that changed a live picture mounts it anew, and it draws in its next animation frame,
# which may come after the run is over.
INTERP_DRAWN = f"() => ({INTERP_PICTURES})().every(([, alt]) => alt)"


def test_the_live_path_choice_redraws_the_strip_and_the_frame_at_once_and_the_rerun_draws_the_same(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """Interpolate's path is a live choice: in the animation frame after a choice of slerp the latent strip (its
    text alternative names the path) and the large frame are redrawn along the great circle, the cross-fade is
    left as it is; after the release's rerun the three pictures are the same."""
    page.goto(f"{streamlit_server}/interpolate?model=mnist-z20&interp_t=4")
    app_idle(page)
    expect(page.locator(".st-key-interp_method")).to_be_hidden()  # the Streamlit radio, the twin
    page.wait_for_function("() => window.vaeLive?.stats('interp').drawn > 0")
    read = INTERP_PICTURES
    before = page.evaluate(read)
    slerp = page.locator(".vae-choices.ready[data-group~=interp]").get_by_role("radio", name="spherical (slerp)")
    at_once = slerp.evaluate(f"""async (radio) => {{
        radio.click();
        await new Promise((frame) => requestAnimationFrame(frame));  // after the pictures' own frame callbacks
        return ({read})();
    }}""")
    (strip, strip_alt), fade, frame = at_once
    assert strip != before[0][0] and "along the spherical (slerp) path" in strip_alt
    assert fade == before[1] and frame[0] != before[2][0]
    page.wait_for_function("() => new URL(location.href).searchParams.get('interp_method') === 'spherical (slerp)'",
                           timeout=RERUN_MS)
    app_idle(page)
    page.wait_for_function(INTERP_DRAWN)
    assert page.evaluate(read) == at_once


def test_a_live_endpoint_choice_redraws_all_three_pictures_at_once_and_the_rerun_draws_the_same(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """Interpolate's endpoint A is a live select box: in the animation frame after choosing class 1 the latent
    strip, the cross-fade (its end decoded in the browser) and the frame show the new path, and their text
    alternatives name it; after the release's rerun the strip and the frame are the same and the cross-fade, now
    from the server's end pictures, within one grey level."""
    page.goto(f"{streamlit_server}/interpolate?model=mnist-z20")
    app_idle(page)
    expect(page.locator(".st-key-interp_a")).to_be_hidden()  # the Streamlit select box, the twin
    page.wait_for_function("() => window.vaeLive?.stats('interp').drawn > 0")
    read = INTERP_PICTURES
    before = page.evaluate(read)
    select = page.locator(".vae-choices.ready[data-group~=interp]").get_by_role("combobox", name="Endpoint A",
                                                                             exact=True)
    at_once, fade_at_once = select.evaluate(f"""async (select) => {{
        select.value = 'class 1';
        select.dispatchEvent(new Event('change', {{bubbles: true}}));
        await new Promise((frame) => requestAnimationFrame(frame));  // after the pictures' own frame callbacks
        return [({read})(), ({CANVAS_GREY})(document.querySelector('.st-key-live_interp_crossfade canvas'))];
    }}""")
    fade_at_once = grey_array(fade_at_once)
    assert all(now[0] != then[0] for now, then in zip(at_once, before, strict=True))
    assert "from class 1 to class 9" in at_once[0][1] and "from class 1 to class 9" in at_once[1][1]
    page.wait_for_function("() => new URL(location.href).searchParams.get('interp_a') === 'class 1'",
                           timeout=RERUN_MS)
    app_idle(page)
    page.wait_for_function(INTERP_DRAWN)
    after = page.evaluate(read)
    assert (after[0], after[2]) == (at_once[0], at_once[2]) and after[1][1] == at_once[1][1]
    assert np.abs(canvas_grey(page.locator(".st-key-live_interp_crossfade canvas")) - fade_at_once).max() <= 1
    expect(select).to_have_value("class 1")


def test_the_interpolation_strips_follow_the_steps_slider_and_show_the_servers_strips(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """Interpolate's live strips (live.js modes 'between' and 'crossfade'): a key press on Steps adds a frame to
    both at once, and each strip drawn in the browser is, pixel for pixel (to one grey level), the one the server
    draws for the released count, shown as wide."""
    page.goto(f"{streamlit_server}/interpolate?model={MODEL}")
    app_idle(page)
    strips = page.locator(".vae-live-picture.ready[data-group=interp_steps] canvas")
    expect(strips).to_have_count(2)
    page.wait_for_function("() => window.vaeLive?.stats('interp_steps').drawn > 0")
    drawn = page.evaluate("window.vaeLive.stats('interp_steps').drawn")  # frames: the two strips draw in the same
    page.locator(".vae-sliders.ready[data-group=interp_steps] input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    for canvas in strips.all():
        page.wait_for_function("c => c.width === 11 * 30 + 2", arg=canvas.element_handle())
    page.wait_for_function("() => new URL(location.href).searchParams.get('interp_steps') === '11'",
                           timeout=RERUN_MS)
    app_idle(page)
    page.wait_for_function("n => window.vaeLive.stats('interp_steps').drawn >= n + 2", arg=drawn)  # key, rerun
    for canvas, alt in zip(strips.all(), ("11 digits decoded along", "11 pictures fading pixel by pixel")):
        live = canvas_grey(canvas)
        img = page.locator(f"img[alt^='{alt}']")
        server = picture_grey(img.get_attribute("src"))
        assert server.shape == live.shape == (32, 332)
        assert np.abs(server - live).max() <= 1, alt
        assert canvas.get_attribute("aria-label").startswith(alt)
        assert canvas.evaluate("c => c.style.width") == f"{img.get_attribute('width')}px"  # no jump on release
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_drawing_moves_the_posterior_live_and_the_server_reads_the_same_digit(
    page: Page, streamlit_server: str, app_idle
) -> None:
    page.goto(f"{streamlit_server}/upload?model={MODEL}")
    app_idle(page)
    canvas, digit_map = page.locator(".vae-draw.ready .vae-draw-canvas"), page.locator(".vae-draw-map canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    at = lambda fx, fy: (box["x"] + fx * box["width"], box["y"] + fy * box["height"])  # noqa: E731
    before = digit_map.evaluate("c => c.toDataURL()")
    page.evaluate(COUNT_SCRIPT_RUNS)

    page.mouse.move(*at(0.35, 0.2))
    page.mouse.down()
    page.mouse.move(*at(0.65, 0.2), steps=10)
    page.wait_for_function(PICTURE_CHANGED, arg=[digit_map.element_handle(), before])  # mu and ellipse drawn
    mid_stroke = digit_map.evaluate("c => c.toDataURL()")
    page.mouse.move(*at(0.45, 0.85), steps=10)
    page.wait_for_function(PICTURE_CHANGED, arg=[digit_map.element_handle(), mid_stroke])  # and they move
    assert page.evaluate("window.scriptStateChanges") == 0, "drawing should not rerun the script"
    assert "your drawing's mu" in digit_map.get_attribute("aria-label")

    page.mouse.up()
    expect(page.get_by_text("From your drawing")).to_be_visible(timeout=RERUN_MS)
    app_idle(page)
    browser_x = np.array(page.evaluate("window.vaeLive.drawing.x")).reshape(28, 28)
    centred = page.locator("img[alt='preprocessing step: centred by mass in 28 x 28']")
    server = picture_grey(centred.get_attribute("src"))
    assert np.array_equal(np.round(browser_x * 255).astype(np.uint8), server)  # the model read the same input
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


@pytest.mark.parametrize("pointer", ["mouse", "finger"])
def test_each_stroke_undo_and_clear_stay_on_the_canvas_through_the_rerun_and_the_server_reads_them(
    request: pytest.FixtureRequest, streamlit_server: str, app_idle, pointer: str
) -> None:
    """Every stroke's end reruns the page, which mounts the canvas anew with the drawing the server keeps: the canvas
    then shows what it showed when the stroke ended (a mount given the drawing of one stroke before had taken it for
    another one's: a second stroke vanished, Undo brought one back, Clear undid itself), and the server's input is
    the browser's. With a mouse at 1400 x 1000, and with a finger on a phone (touch events as its screen sends
    them)."""
    page: Page = request.getfixturevalue("page" if pointer == "mouse" else "phone")
    page.goto(f"{streamlit_server}/upload?model={MODEL}")
    app_idle(page)
    canvas = page.locator(".vae-draw.ready .vae-draw-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()

    def through_the_rerun(act) -> str:
        """Do `act`; the canvas as it stood just after, checked to be the one the rerun mounts and the input the
        server reads (or no input at all for a cleared canvas)."""
        mounted = page.locator(".vae-draw.ready").element_handle()
        act()
        shown = page.evaluate("() => document.querySelector('.vae-draw-canvas').toDataURL()")
        page.wait_for_function("old => !old.isConnected", arg=mounted, timeout=RERUN_MS)
        app_idle(page)
        assert page.evaluate("() => document.querySelector('.vae-draw-canvas').toDataURL()") == shown
        centred = page.locator("img[alt='preprocessing step: centred by mass in 28 x 28']")
        if page.evaluate("window.vaeLive.drawing") is None:
            expect(centred).to_have_count(0)
        else:
            browser_x = np.round(np.array(page.evaluate("window.vaeLive.drawing.x")) * 255).reshape(28, 28)
            assert np.array_equal(browser_x.astype(np.uint8), picture_grey(centred.get_attribute("src")))
        return shown

    screen = page.context.new_cdp_session(page) if pointer == "finger" else None

    def stroke(x0: float, y0: float, x1: float, y1: float) -> None:
        at = [(box["x"] + (x0 + (x1 - x0) * i / 8) * box["width"], box["y"] + (y0 + (y1 - y0) * i / 8) * box["height"])
              for i in range(9)]
        if screen is None:
            page.mouse.move(*at[0])
            page.mouse.down()
            for point in at[1:]:
                page.mouse.move(*point)
            page.mouse.up()
            return
        for kind, point in [("touchStart", at[0]), *[("touchMove", p) for p in at[1:]], ("touchEnd", None)]:
            touches = [] if point is None else [{"x": point[0], "y": point[1]}]
            screen.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touches})

    blank = page.evaluate("() => document.querySelector('.vae-draw-canvas').toDataURL()")
    one = through_the_rerun(lambda: stroke(0.5, 0.15, 0.5, 0.85))
    two = through_the_rerun(lambda: stroke(0.25, 0.5, 0.75, 0.5))
    assert len({blank, one, two}) == 3
    assert through_the_rerun(lambda: page.get_by_role("button", name="Undo").click()) == one
    assert through_the_rerun(lambda: page.get_by_role("button", name="Clear").click()) == blank
    expect(page.get_by_text("From your drawing")).to_have_count(0)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_another_axis_redraws_the_drawings_map_at_once_as_the_rerun_draws_it(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """On the 20-D model the drawing map's axis selects are live: another dimension redraws the map of the test
    digits in the choice's own task (the browser has every dimension's mu), the same picture the rerun's map draws;
    over a drawing, its posterior is placed on the new axes at once too, where the rerun places it."""
    page.goto(f"{streamlit_server}/upload?model=mnist-z20")
    app_idle(page)
    digit_map = page.locator(".vae-draw.ready .vae-draw-map")
    select = page.locator(".vae-choices.ready select").first
    old, up = int(select.input_value()), int(page.locator(".vae-choices.ready select").nth(1).input_value())
    new = next(d for d in range(20) if d not in (old, up))
    choose = """([s, d]) => {
        s.value = String(d);
        s.dispatchEvent(new Event('change', {bubbles: true}));
        const map = document.querySelector('.vae-draw-map');
        return [map.querySelector('canvas').toDataURL(), map.querySelector('figcaption').textContent];
    }"""
    # The map drawn at once is compared with the one the rerun mounts anew (in place of this one: gone by then).
    mounted = page.locator(".vae-draw.ready").element_handle()
    picture, caption = page.evaluate(choose, [select.element_handle(), new])
    assert caption.endswith(f"z{new} across, z{up} up")
    app_idle(page)
    page.wait_for_function("old => !old.isConnected", arg=mounted, timeout=RERUN_MS)
    expect(digit_map.locator("figcaption")).to_have_text(re.compile(rf"z{new} across, z{up} up$"))
    page.wait_for_function("p => document.querySelector('.vae-draw-map canvas').toDataURL() === p", arg=picture)

    canvas = page.locator(".vae-draw.ready .vae-draw-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 0.4 * box["width"], box["y"] + 0.2 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.8 * box["height"], steps=10)
    page.mouse.up()
    expect(page.get_by_text("From your drawing")).to_be_visible(timeout=RERUN_MS)
    app_idle(page)
    select = page.locator(".vae-choices.ready select").first
    mounted = page.locator(".vae-draw.ready").element_handle()
    picture, caption = page.evaluate(choose, [select.element_handle(), old])
    label = digit_map.locator("canvas").get_attribute("aria-label")
    assert caption.endswith(f"z{old} across, z{up} up") and label.startswith(f"latent map of the 10,000 test digits "
                                                                           f"over z{old} and z{up}: your drawing's mu")
    app_idle(page)
    page.wait_for_function("old => !old.isConnected", arg=mounted, timeout=RERUN_MS)
    # the same map, ellipse and all: the rerun's canvas paints the strokes as they were painted while drawn
    page.wait_for_function("p => document.querySelector('.vae-draw-map canvas').toDataURL() === p", arg=picture)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_without_webassembly_the_plain_loop_draws_the_live_grid_and_keys_keep_the_focus(
    page: Page, streamlit_server: str, app_idle
) -> None:
    page.add_init_script("delete window.WebAssembly")  # as in a browser without it: kernel.js falls back
    page.goto(f"{streamlit_server}/variance?model={MODEL}&variance_count=64")
    app_idle(page)
    picture = page.locator(".vae-live-picture.ready[data-group=variance] canvas")
    page.wait_for_function("() => window.vaeLive?.stats('variance').drawn > 0")
    assert page.evaluate("window.vaeLive.simd") is False
    slider = page.locator(".vae-sliders.ready input[type=range]")
    before = picture.evaluate("c => c.toDataURL()")
    slider.focus()
    page.keyboard.press("ArrowRight")  # each key press is an input (live) and a change (a release)
    page.wait_for_function(PICTURE_CHANGED, arg=[picture.element_handle(), before])
    page.wait_for_function("() => new URL(location.href).searchParams.get('variance_scale') === '1.1'",
                           timeout=RERUN_MS)
    app_idle(page)
    # The rerun mounted the slider anew; the keyboard user is still on it and goes on from the new value.
    assert page.evaluate("document.activeElement.dataset.key") == "variance_scale"
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => new URL(location.href).searchParams.get('variance_scale') === '1.2'",
                           timeout=RERUN_MS)


def test_the_weights_come_once_and_again_after_an_eviction_a_model_switch_and_a_reload(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """views.live.mount_model sends a network's bytes once per session; a browser that lacks them gets them again."""

    def press_and_wait(value: str) -> None:
        page.locator(".vae-sliders.ready input[data-key=sample_temperature]").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => new URL(location.href).searchParams.get('sample_temperature') === '{value}'",
                               timeout=RERUN_MS)
        app_idle(page)

    def live_and_drawn() -> None:
        expect(page.locator(".vae-live-picture.ready canvas")).to_be_visible()
        expect(page.locator(".vae-sliders.ready input[data-key=sample_temperature]")).to_be_visible()
        page.wait_for_function("() => window.vaeLive?.stats('sample').drawn > 0")
        expect(page.locator("[data-testid=stException]")).to_have_count(0)

    page.goto(f"{streamlit_server}/sample?model={MODEL}")
    app_idle(page)
    live_and_drawn()
    [first] = page.evaluate("window.vaeLive.received()")
    press_and_wait("1.1")  # a rerun: the weights are named, not sent
    assert page.evaluate("window.vaeLive.received()") == [first]
    live_and_drawn()

    page.evaluate(f"window.vaeLive.forget('{first}')")  # as KEEP_MODELS evicts it
    press_and_wait("1.2")
    page.wait_for_function(f"() => window.vaeLive.models().includes('{first}')", timeout=RERUN_MS)
    assert page.evaluate("window.vaeLive.received()") == [first, first]
    app_idle(page)
    live_and_drawn()

    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").filter(has_text="Model").click()
    page.get_by_role("option", name="mnist-z20", exact=True).click()
    page.wait_for_function("() => window.vaeLive.received().length === 3", timeout=RERUN_MS)
    app_idle(page)
    second = page.evaluate("window.vaeLive.received()")[2]
    assert second != first
    live_and_drawn()
    press_and_wait("1.3")
    assert len(page.evaluate("window.vaeLive.received()")) == 3

    page.reload()  # a new page and a new session: the weights come again
    app_idle(page)
    live_and_drawn()
    assert page.evaluate("window.vaeLive.received()") == [second]


def test_the_live_code_comes_once_per_session_and_no_rerun_or_page_switch_brings_it_again(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """views.live.mount_runtime: the live elements' code (main.js's mountLive, ~140 kB) reaches the browser in one
    message per session; a slider's release, a page switch to more live elements and a sidebar button bring none
    of it (the mounts carry a loader), and the elements they mount are live. A reload is a new session."""
    code = b"function mountLive("
    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(
        f if isinstance(f, bytes) else f.encode())))

    def with_code() -> int:
        return sum(code in f for f in frames)

    page.goto(f"{streamlit_server}/sample?model={MODEL}")
    app_idle(page)
    page.wait_for_function("() => window.vaeLive?.stats('sample').drawn > 0")
    assert with_code() == 1
    frames.clear()
    page.locator(".vae-sliders.ready input[data-key=sample_temperature]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(r"sample_temperature=1\.1\b"), timeout=RERUN_MS)
    app_idle(page)
    page.get_by_test_id("stTopNav").get_by_text("Perturb", exact=True).click()
    page.get_by_test_id("stTopNavDropdownLink").filter(has_text="Variance perturbation").click()
    page.wait_for_function("() => window.vaeLive?.stats('variance').drawn > 0", timeout=RERUN_MS)
    app_idle(page)
    page.get_by_test_id("stSidebar").get_by_role("button", name="7", exact=True).click()
    expect(page.locator(DIGIT_CAPTION)).to_contain_text("a 7", timeout=RERUN_MS)
    app_idle(page)
    assert frames and with_code() == 0
    expect(page.locator(".vae-sliders.ready input[data-key=variance_scale]")).to_be_visible()
    page.reload()
    app_idle(page)
    page.wait_for_function("() => window.vaeLive?.stats('variance').drawn > 0")
    assert with_code() == 1


def test_the_flag_that_hides_the_twins_follows_the_page(page: Page, streamlit_server: str, app_idle) -> None:
    """live.css hides the Streamlit twins while a live element is ready, by a flag on the root element (main.js
    syncReadyFlags): set on a page with live pictures, gone after a switch to a page with none (the sidebar's
    digit panel has a flag of its own, which stays)."""
    flag = "f => document.documentElement.hasAttribute(f)"
    page.goto(f"{streamlit_server}/variance?model={MODEL}")
    app_idle(page)
    expect(page.locator(".vae-live-picture.ready[data-group=variance]")).to_be_visible()
    expect(page.locator("[class*=st-key-vae_fallback]").first).to_be_hidden()
    assert page.evaluate(flag, "data-vae-live-ready")
    page.get_by_test_id("stTopNav").get_by_text("Encode", exact=True).click()
    page.get_by_test_id("stTopNavDropdownLink").filter(has_text="The maths").click()
    page.wait_for_function(f"() => !({flag})('data-vae-live-ready')")
    app_idle(page)
    assert not page.evaluate(flag, "data-vae-live-ready")
    assert page.evaluate(flag, "data-vae-digits-ready")


def test_dragging_the_replays_epoch_slider_swaps_in_each_epochs_pictures_and_release_reaches_python(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """The Training replay's live epoch slider runs over the snapshots: while it is dragged, the map and the
    manifold show the epoch under the thumb (pictures the server drew ahead) and the ELBO chart's marker stands
    there, with no script run; on release the epoch reaches Python: the URL, the slider drawn again."""
    page.goto(f"{streamlit_server}/replay?model={MODEL}")
    app_idle(page)
    slider = page.locator(".vae-sliders.ready[data-group=replay] input[type=range]")
    alts = page.locator(".vae-frames[data-group=replay] figure img")
    expect(alts).to_have_count(2)
    expect(page.locator("[class*=st-key-vae_fallback]").first).to_be_hidden()  # one slider on screen, not two
    chart = page.locator(".vae-chart[data-group=replay] svg")
    marker = chart.locator("text.marker")
    expect(page.get_by_test_id("stPlotlyChart")).to_be_hidden()  # the server's chart is the live one's twin

    def at_epoch(epoch: object) -> bool:  # both pictures say they show that epoch
        return all(re.search(rf"at training epoch {epoch}\b", a) for a in alts.evaluate_all("i => i.map(e => e.alt)"))

    last = slider.get_attribute("aria-valuetext")
    assert at_epoch(last)
    page.evaluate(COUNT_SCRIPT_RUNS)

    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] - 4, y)
    page.mouse.down()
    shown = set()
    for fraction in (0.75, 0.5, 0.3):
        page.mouse.move(box["x"] + fraction * box["width"], y, steps=4)
        epoch = page.evaluate("window.vaeLive.values('replay')['replay_epoch']")
        assert slider.get_attribute("aria-valuetext") == str(epoch)  # a screen reader hears the epoch
        assert at_epoch(epoch)
        assert marker.text_content() == (f"epoch {epoch}" if epoch else "epoch 0 (untrained)")
        assert f"Marked: epoch {epoch}," in chart.get_attribute("aria-label")
        shown.add(epoch)
    assert len(shown) == 3 and str(last) not in map(str, shown)
    assert page.evaluate("window.scriptStateChanges") == 0, "dragging should not rerun the script"

    page.mouse.up()
    page.wait_for_function("e => new URL(location.href).searchParams.get('replay_epoch') === e", arg=str(epoch),
                           timeout=RERUN_MS)
    app_idle(page)
    assert slider.get_attribute("aria-valuetext") == str(epoch)  # drawn again from the twin's value
    expect(marker).to_have_text(f"epoch {epoch}")
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def test_play_walks_the_replay_through_every_epoch_and_pause_releases_where_it_stopped(
    page: Page, streamlit_server: str, app_idle
) -> None:
    """The replay's Play button, from the last epoch, starts again at epoch 0 and steps through every snapshot with
    no script run, the pictures following; at the end the last epoch reaches Python. Pause stops it where it is and
    releases that epoch."""
    page.goto(f"{streamlit_server}/replay?model={MODEL}")
    app_idle(page)
    slider = page.locator(".vae-sliders.ready[data-group=replay] input[type=range]")
    play = page.locator(".vae-sliders.ready[data-group=replay] button.vae-play")
    img = page.locator(".vae-frames[data-group=replay] figure img").first
    chart = page.locator(".vae-chart[data-group=replay] svg")
    last = slider.get_attribute("aria-valuetext")  # the page opens at the last snapshot
    expect(play).to_have_accessible_name("Play")
    page.evaluate(COUNT_SCRIPT_RUNS)
    play.click()
    expect(play).to_have_accessible_name("Pause")
    shown, deadline = [], time.monotonic() + 30
    while page.evaluate("window.scriptStateChanges") == 0:  # until the last epoch's release runs the script
        assert time.monotonic() < deadline, f"no release after {shown}"
        epoch = slider.get_attribute("aria-valuetext")
        if not shown or shown[-1] != epoch:
            shown.append(epoch)
            assert re.search(rf"at training epoch {epoch}\b", img.get_attribute("alt"))
            assert f"Marked: epoch {epoch}," in chart.get_attribute("aria-label")  # the chart's marker with it
        page.wait_for_timeout(150)
    snapshots = int(slider.get_attribute("max")) + 1
    assert shown[0] == "0" and len(shown) >= snapshots - 1, shown  # each shown (a 150 ms look may miss one)
    app_idle(page)  # the run of the last epoch's release (the slider's default, so the link leaves it out)
    assert slider.get_attribute("aria-valuetext") == last and "replay_epoch" not in page.url
    expect(play).to_have_accessible_name("Play")
    expect(chart.locator("text.marker")).to_have_text(f"epoch {last}")

    play.click()  # from the end: back to epoch 0, then on
    page.wait_for_function("() => window.vaeLive.values('replay')['replay_epoch'] >= 2")
    play.click()
    expect(play).to_have_accessible_name("Play")
    stopped = slider.get_attribute("aria-valuetext")
    page.wait_for_function("e => new URL(location.href).searchParams.get('replay_epoch') === e", arg=stopped,
                           timeout=RERUN_MS)
    app_idle(page)
    assert slider.get_attribute("aria-valuetext") == stopped
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
