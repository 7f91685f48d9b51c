"""The keyboard (issue 15, WCAG 2.1.1, 2.1.2, 2.4.3, 2.4.7) and touch targets (WCAG 2.2 SC 2.5.8), in Chromium.

On each page of a representative set, Tab from the top of the page walks every stop: it reaches every control of
the main area, in reading order (top to bottom, left to right within a row; a column to the right may start higher
up), every stop shows a focus indicator one can see (the pixels around it change when it takes the focus), the walk
leaves the page's end (no trap, the live elements included), and Shift+Tab walks the main area's stops back. Then
the controls work from the keyboard: arrow keys move a slider (Streamlit's and the live ones), Space and Enter
press a button. On a 390 x 844 touch phone every control of the main area offers a target of at least 24 x 24 px.

`python -m tests.browser.test_keyboard URL [page ...]` prints each page's stops and findings for a running app.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests import live_app
from tests.browser.test_screens import DESKTOP, PHONE, TIMEOUT_MS, open_page, screen

pytestmark = pytest.mark.browser

WALKED = ["start", "lessons", "reconstruct", "mean", "interpolate", "upload", "pad", "replay"]
MAX_STOPS = 150  # Tab presses before the walk gives up: far more stops than any page has
TOLERANCE_PX = 4  # positions closer than this count as level (rounding, a ring's offset)
RING_PX = 8  # how far around a stop's box its focus indicator is looked for
SETTLE_MS = 120  # a focus ring's transition

# JavaScript helpers, run in the page. The focused element is looked for inside open shadow roots too; its "box" is
# what a sighted user sees of it: a visually hidden input (Streamlit's slider keeps its <input> in a 1 px clipped
# box and rings the thumb instead) is represented by the first ancestor that is drawn.
HELPERS = """
    const up = el => el.parentElement || (el.getRootNode() instanceof ShadowRoot ? el.getRootNode().host : null);
    const deepActive = () => {
        let el = document.activeElement;
        while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
        return el && el !== document.body && el !== document.documentElement ? el : null;
    };
    const hiddenBy = el => {  // the ancestor (or el) that hides el from sight, if any
        for (let a = el; a; a = up(a)) {
            const s = getComputedStyle(a), r = a.getBoundingClientRect();
            if (s.opacity === "0" || (s.overflow === "hidden" && (r.width <= 1 || r.height <= 1))) return a;
        }
        return null;
    };
    const shown = el => { let a = el; for (let h = hiddenBy(a); h; h = hiddenBy(a)) a = up(h); return a; };
    const layout = el => {  // the box in page coordinates, whatever is scrolled
        const r = el.getBoundingClientRect();
        let x = r.left + scrollX, y = r.top + scrollY;
        for (let a = up(el); a; a = up(a)) { x += a.scrollLeft; y += a.scrollTop; }
        return {left: x, top: y, right: x + r.width, bottom: y + r.height};
    };
    const area = el => el.closest("[data-testid=stMain]") ? "main" : el.closest("[data-testid=stSidebar]") ? "sidebar"
                       : "other";
    const describe = el => {
        const label = el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].textContent)
            || el.textContent || el.getAttribute("title") || "";
        return `${el.tagName.toLowerCase()}${el.getAttribute("role") ? "[" + el.getAttribute("role") + "]" : ""} `
            + `"${label.trim().replace(/\\s+/g, " ").slice(0, 40)}"`;
    };
"""

# The focused element: a number for it (the same element gets the same number all walk long), its area, a
# description, its drawn box in the viewport and its layout box in the page.
FOCUSED = """() => {""" + HELPERS + """
    const el = deepActive();
    if (!el) return null;
    window.__stops = window.__stops || [];
    let id = window.__stops.indexOf(el);
    if (id < 0) id = window.__stops.push(el) - 1;
    const drawn = shown(el), r = drawn.getBoundingClientRect();
    return {id, area: area(el), name: describe(el), tag: el.tagName.toLowerCase(), layout: layout(drawn),
            box: {x: r.left, y: r.top, width: r.width, height: r.height}};
}"""

# The drawn box of stop number `id`, scrolled into view.
BOX_OF = """(id) => {""" + HELPERS + """
    const drawn = shown(window.__stops[id]);
    drawn.scrollIntoView({block: "nearest", inline: "nearest"});
    const r = drawn.getBoundingClientRect();
    return {x: r.left, y: r.top, width: r.width, height: r.height};
}"""

# The controls of the main area a keyboard user must be able to reach: what is focusable, enabled and drawn.
CONTROLS = """() => {""" + HELPERS + """
    const roots = root => [root, ...[...root.querySelectorAll("*")].filter(e => e.shadowRoot)
                                         .flatMap(e => roots(e.shadowRoot))];
    const main = document.querySelector("[data-testid=stMain]");
    const focusable = "a[href], button, input, select, textarea, [tabindex]";
    return roots(main).flatMap(root => [...root.querySelectorAll(focusable)]).filter(el => {
        if (el.disabled || el.getAttribute("tabindex") === "-1" || el.closest("[inert], [aria-hidden=true]")) {
            return false;
        }
        if (el.type === "hidden") return false;
        // a radio group is one Tab stop, its checked radio (the arrow keys move the choice within it)
        if (el.type === "radio" && el.name && !el.checked
            && [...document.getElementsByName(el.name)].some(other => other.checked)) return false;
        const drawn = shown(el), r = drawn.getBoundingClientRect(), s = getComputedStyle(drawn);
        return r.width > 0 && r.height > 0 && s.visibility !== "hidden";
    }).map(el => {
        window.__stops = window.__stops || [];
        let id = window.__stops.indexOf(el);
        if (id < 0) id = window.__stops.push(el) - 1;
        return {id, name: describe(el)};
    });
}"""

# Every control of the main area and the size of what a finger can hit: the control's drawn box, or more where
# the points around its centre still land on it (Streamlit's slider thumb takes touches in a ring its CSS adds).
TARGETS = """() => {""" + HELPERS + """
    const main = document.querySelector("[data-testid=stMain]");
    const found = [...main.querySelectorAll("a[href], button, input, select, textarea, [tabindex], [role=slider]")];
    const out = [];
    for (const el of found) {
        if (el.disabled || el.getAttribute("tabindex") === "-1" || el.type === "hidden") continue;
        if (el.closest("[data-testid=stHeaderActionElements]")) continue;  // a heading's anchor: inline, exempt
        const drawn = shown(el), r = drawn.getBoundingClientRect();
        if (r.width <= 0 || r.height <= 0 || getComputedStyle(drawn).visibility === "hidden") continue;
        drawn.scrollIntoView({block: "center", inline: "nearest"});
        const b = drawn.getBoundingClientRect(), cx = b.left + b.width / 2, cy = b.top + b.height / 2;
        const hits = (dx, dy) => {
            const at = document.elementFromPoint(cx + dx, cy + dy);
            return !!at && (drawn.contains(at) || at.contains(drawn) && at !== document.body && at.closest(
                "[data-testid=stSlider], label, button") === at.closest("[data-testid=stSlider], label, button")
                && at.getBoundingClientRect().width < 3 * Math.max(b.width, 24));
        };
        const reach = (dx, dy) => { let n = 0; while (n < 12 && hits(dx * (n + 1), dy * (n + 1))) n++; return n; };
        const width = Math.max(b.width, reach(-1, 0) + reach(1, 0) + 1);
        const height = Math.max(b.height, reach(0, -1) + reach(0, 1) + 1);
        out.push({name: describe(el), width: Math.round(width), height: Math.round(height), layout: layout(drawn)});
    }
    return out;
}"""


@dataclass(frozen=True)
class Stop:
    """One Tab stop: the element's number in the page, where it is, what it is, and its boxes."""

    id: int
    area: str
    name: str
    tag: str
    layout: dict
    box: dict


def ready(page: Page) -> None:
    """The page is idle and its live elements (if any) have the model: what a keyboard user then meets."""
    if page.locator(".vae-live, .vae-pad, .vae-draw").count():
        page.wait_for_selector(".vae-live.ready, .vae-pad, .vae-draw", timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.__stops = []; }")


def ring_region(box: dict, viewport: dict) -> dict | None:
    """The box grown by RING_PX on every side, within the viewport (None if nothing of it is in view)."""
    x0, y0 = max(0, box["x"] - RING_PX), max(0, box["y"] - RING_PX)
    x1 = min(viewport["width"], box["x"] + box["width"] + RING_PX)
    y1 = min(viewport["height"], box["y"] + box["height"] + RING_PX)
    return {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0} if x1 - x0 > 2 and y1 - y0 > 2 else None


@dataclass
class Walk:
    """What Tab met on one page: the stops in order, and what was wrong."""

    stops: list[Stop]
    unseen_focus: list[str]  # stops whose pixels do not change when they take the focus
    unnamed: list[str]  # stops of the main area without an accessible name (what a screen reader says of them)
    ended: bool  # the walk left the page's last stop (focus went back to the document)


def tab_walk(page: Page, check_focus: set[str]) -> Walk:
    """Press Tab from the top until focus leaves the page's last stop; for stops in the areas `check_focus`, compare
    the pixels around each with and without the focus."""
    viewport = page.viewport_size
    stops: list[Stop] = []
    unseen, unnamed = [], []
    focused_shot = None
    for _ in range(MAX_STOPS):
        page.keyboard.press("Tab")
        page.wait_for_timeout(SETTLE_MS)
        info = page.evaluate(f"({FOCUSED})()")
        if stops and stops[-1].area in check_focus and focused_shot is not None:
            region = ring_region(page.evaluate(f"({BOX_OF})", stops[-1].id), viewport)
            size = region and (region["width"], region["height"])
            # the same pixels around it, focused or not (where the same size is in view: scrolling may cut it)
            if size == focused_shot[0] and page.screenshot(clip=region) == focused_shot[1]:
                unseen.append(stops[-1].name)
        if info is None:
            return Walk(stops, unseen, unnamed, True)
        stop = Stop(**info)
        if stops and stop.id == stops[-1].id:  # Tab did not move: a trap
            stops.append(stop)
            return Walk(stops, unseen, unnamed, False)
        if stops and stop.name == stops[0].name:  # back at the top (the browser has no chrome to go to)
            return Walk(stops, unseen, unnamed, True)
        stops.append(stop)
        if stop.area == "main" and stop.tag != "main" and not named(page):
            unnamed.append(stop.name)
        focused_shot = None
        if stop.area in check_focus:
            region = ring_region(page.evaluate(f"({BOX_OF})", stop.id), viewport)
            if region is not None:
                focused_shot = ((region["width"], region["height"]), page.screenshot(clip=region))
    return Walk(stops, unseen, unnamed, False)


def named(page: Page) -> bool:
    """Whether the focused element has an accessible name, as the browser's accessibility tree computes it (a
    label's text goes to the first labelable element inside it, which need not be the control)."""
    try:
        expect(page.locator("*:focus")).not_to_have_accessible_name(re.compile(r"^\s*$"), timeout=1_000)
    except AssertionError:
        return False
    return True


def out_of_order(stops: list[Stop]) -> list[str]:
    """Consecutive stops that go against reading order: back to the left within a row, or up to a place that does
    not start right of the previous one (a new column)."""
    wrong = []
    for a, b in zip(stops, stops[1:]):
        la, lb = a.layout, b.layout
        same_row = lb["top"] < la["bottom"] - TOLERANCE_PX and la["top"] < lb["bottom"] - TOLERANCE_PX
        if same_row and lb["left"] < la["left"] - TOLERANCE_PX:
            wrong.append(f"{a.name} -> {b.name}: back to the left within a row")
        elif not same_row and lb["bottom"] <= la["top"] + TOLERANCE_PX and lb["left"] < la["right"] - TOLERANCE_PX:
            wrong.append(f"{a.name} -> {b.name}: up, but not into a column to the right")
    return wrong


def main_stops(walk: Walk) -> list[Stop]:
    """The walk's stops in the main area, without the main area itself (the skip link's target)."""
    return [s for s in walk.stops if s.area == "main" and s.tag != "main"]


def stop(name: str, left: float, top: float, width: float = 40, height: float = 20) -> Stop:
    """A made-up stop at (left, top) in the page."""
    box = {"left": left, "top": top, "right": left + width, "bottom": top + height}
    return Stop(0, "main", name, "button", box, {})


def test_reading_order_is_rows_left_to_right_then_down_and_columns_left_to_right() -> None:
    row = [stop("a", 0, 0), stop("b", 50, 2), stop("c", 0, 40)]  # a b / c
    columns = [stop("left 1", 0, 0), stop("left 2", 0, 100), stop("right 1", 300, 0)]  # a column, then the next
    assert out_of_order(row) == [] and out_of_order(columns) == []
    assert out_of_order([row[1], row[0]]) == ['b -> a: back to the left within a row']
    assert out_of_order([columns[2], columns[1]]) == []  # from the right column down to the left: a new row
    assert out_of_order([columns[1], columns[0]]) == ['left 2 -> left 1: up, but not into a column to the right']


def test_an_undersized_target_passes_only_with_24_px_of_room() -> None:
    def target(name: str, left: float, size: float) -> dict:
        return {"name": name, "width": size, "height": size,
                "layout": {"left": left, "top": 0, "right": left + size, "bottom": size}}

    assert too_small([target("big", 0, 30), target("big too", 30, 30)]) == []
    assert too_small([target("icon", 0, 16), target("far", 40, 30)]) == []  # its circle (radius 12) stays clear
    assert too_small([target("icon", 0, 16), target("near", 18, 30)]) == [{"name": "icon", "width": 16, "height": 16}]
    assert len(too_small([target("icon", 0, 16), target("icon 2", 20, 16)])) == 2  # their circles overlap


@pytest.fixture(scope="module")
def desktop(browser) -> Page:
    with screen(browser, **DESKTOP) as page:
        yield page


@pytest.mark.parametrize("url_path", WALKED)
def test_tab_reaches_every_control_in_reading_order_with_a_visible_focus_and_no_trap(
        desktop: Page, streamlit_server: str, url_path: str) -> None:
    open_page(desktop, streamlit_server, url_path)
    ready(desktop)
    # the sidebar and the page header are the same on every page: their rings are looked at once
    walk = tab_walk(desktop, {"main", "sidebar", "other"} if url_path == WALKED[0] else {"main"})
    assert walk.ended, "Tab stays on " + (walk.stops[-1].name if walk.stops else "nothing") + ": a keyboard trap"
    stops = main_stops(walk)
    reached = {s.id for s in walk.stops}
    missed = [c["name"] for c in desktop.evaluate(f"({CONTROLS})()") if c["id"] not in reached]
    assert not missed, f"Tab never reaches {missed}"
    assert not (wrong := out_of_order(stops)), "focus order against reading order:\n" + "\n".join(wrong)
    assert not walk.unseen_focus, f"no visible focus indicator on {walk.unseen_focus}"
    assert not walk.unnamed, f"controls without an accessible name: {walk.unnamed}"
    # and back: from the main area's last stop, Shift+Tab reaches each stop before it
    desktop.evaluate("(id) => window.__stops[id].focus()", stops[-1].id)
    for expected in reversed(stops[:-1]):
        desktop.keyboard.press("Shift+Tab")
        back = desktop.evaluate(f"({FOCUSED})()")
        assert back and back["id"] == expected.id, f"Shift+Tab to {expected.name} lands on {back}"


def focus(page: Page, text: str) -> None:
    """Tab from the top to the first stop of the main area whose description (tag, role, "label") contains `text`."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    for _ in range(MAX_STOPS):
        page.keyboard.press("Tab")
        info = page.evaluate(f"({FOCUSED})()")
        if info and info["area"] == "main" and text in info["name"]:
            return
    raise AssertionError(f"Tab never reaches {text}")


def settle(page: Page) -> None:
    page.wait_for_timeout(600)  # a release reruns the page a moment later
    live_app.wait_idle(page, TIMEOUT_MS)


def test_arrow_keys_move_a_streamlit_slider_and_the_value_stays(page: Page, streamlit_server: str) -> None:
    page.goto(f"{streamlit_server}/manifold?model=mnist-z2")  # the grid size is a live slider; eps is Streamlit's
    settle(page)
    eps = page.locator("[data-testid=stMain] [data-testid=stSlider]").filter(has_text="eps: grid covers")
    slider = eps.locator("input")
    before = float(slider.get_attribute("value"))
    focus(page, 'input "eps: grid covers')
    page.keyboard.press("ArrowRight")
    settle(page)
    after = round(before + 0.01, 2)
    assert float(slider.get_attribute("value")) == after  # after the rerun: the app took the new value
    expect(eps.get_by_test_id("stSliderThumbValue")).to_have_text(f"{after:.2f}")
    assert page.evaluate(f"({FOCUSED})()")["name"].startswith('input "eps: grid covers')  # focus stays


def test_arrow_keys_move_a_live_slider_and_space_presses_reset(page: Page, streamlit_server: str) -> None:
    page.goto(f"{streamlit_server}/mean?model=mnist-z2")
    settle(page)
    ready(page)
    live = page.locator(".vae-live.ready input[type=range]").first
    assert live.input_value() == "0"
    focus(page, 'input "z')  # the first slider, z0 or z1: the live one, now the model is loaded
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    settle(page)
    moved = page.locator(".vae-live.ready input[type=range]").first
    expect(moved).not_to_have_value("0")
    assert float(moved.input_value()) > 0
    assert page.evaluate(f"({FOCUSED})()")["name"].startswith('input "z'), "the slider lost the focus on the rerun"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(f"({FOCUSED})()")["name"] == 'button "Reset"'
    page.keyboard.press("Space")
    settle(page)
    expect(page.locator(".vae-live.ready input[type=range]").first).to_have_value("0")


def test_enter_presses_a_button(page: Page, streamlit_server: str) -> None:
    page.goto(f"{streamlit_server}/lessons")
    settle(page)
    focus(page, "Start this lesson")
    page.keyboard.press("Enter")
    settle(page)
    expect(page.locator(".st-key-lesson_panel")).to_be_visible()


def too_small(targets: list[dict]) -> list[dict]:
    """The targets under 24 x 24 px that the SC's spacing exception does not excuse: a 24 px circle centred on an
    undersized target must not intersect another target, nor the circle of another undersized one."""
    def centre(t: dict) -> tuple[float, float]:
        box = t["layout"]
        return (box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2

    def gap(point: tuple[float, float], box: dict) -> float:  # from a point to a box (0 inside it)
        dx = max(box["left"] - point[0], 0, point[0] - box["right"])
        dy = max(box["top"] - point[1], 0, point[1] - box["bottom"])
        return (dx * dx + dy * dy) ** 0.5

    small = [t for t in targets if min(t["width"], t["height"]) < 24]
    crowded = []
    for t in small:
        others = [o for o in targets if o is not t]
        if any(gap(centre(t), o["layout"]) < 12 for o in others) or any(
                gap(centre(t), {"left": x, "right": x, "top": y, "bottom": y}) < 24
                for x, y in (centre(o) for o in small if o is not t)):
            crowded.append({k: t[k] for k in ("name", "width", "height")})
    return crowded


@pytest.fixture(scope="module")
def phone(browser) -> Page:
    with screen(browser, **PHONE) as page:
        yield page


@pytest.mark.parametrize("url_path", WALKED)
def test_every_touch_target_of_the_main_area_is_at_least_24_px(phone: Page, streamlit_server: str,
                                                               url_path: str) -> None:
    open_page(phone, streamlit_server, url_path)
    ready(phone)
    small = too_small(phone.evaluate(f"({TARGETS})()"))
    assert not small, f"targets under 24 x 24 px on a phone, too close to another: {small}"


def report(url: str, pages: list[str]) -> None:
    """Print each page's Tab stops and what the checks find, for a running app."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = live_app.launch_chromium(p)
        with screen(browser, **DESKTOP) as page, screen(browser, **PHONE) as touch:
            for url_path in pages:
                open_page(page, url, url_path)
                ready(page)
                walk = tab_walk(page, {"main", "sidebar", "other"})
                reached = {s.id for s in walk.stops}
                missed = [c["name"] for c in page.evaluate(f"({CONTROLS})()") if c["id"] not in reached]
                print(f"== {url_path}: {len(walk.stops)} stops ({len(main_stops(walk))} in the main area), "
                      f"ended {walk.ended}")
                for s in walk.stops:
                    print(f"   {s.area:7} {s.name}")
                print("   missed:", missed)
                print("   out of order:", out_of_order(main_stops(walk)))
                print("   no visible focus:", walk.unseen_focus)
                print("   no accessible name:", walk.unnamed)
                open_page(touch, url, url_path)
                ready(touch)
                targets = touch.evaluate(f"({TARGETS})()")
                print("   under 24 px:", [(t["name"], t["width"], t["height"]) for t in targets
                                          if min(t["width"], t["height"]) < 24])
                print("   of them too close to another:", too_small(targets), flush=True)


if __name__ == "__main__":
    report(sys.argv[1], sys.argv[2:] or WALKED)
