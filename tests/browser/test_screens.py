"""Every page on every kind of screen (issue 15): axe-core finds no serious or critical WCAG 2.x A/AA violation; on a
phone (390 x 844, touch) nothing in the main area reaches past the right edge; on a projector (1920 x 1080, presenter
mode) no visible text is under 24 px (chart labels under 20 px), no caption is squeezed into a column too narrow
for that text, and the page's main picture and main control show without scrolling.

One server and one browser for all; each check keeps one browser context (one viewport) for all pages.
`python -m tests.browser.test_screens URL` prints the same figures for a running server, without asserting;
`python -m tests.browser.test_screens URL --screenshots docs/screenshots [PAGE ...]` takes the phone and projector
screenshots (of every page, or of the pages named).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import live_app
from views import navigation

pytestmark = pytest.mark.browser

AXE = live_app.ROOT / "node_modules" / "axe-core" / "axe.min.js"  # package.json pins it; `npm ci` installs it
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = live_app.PHONE
PROJECTOR = dict(viewport={"width": 1920, "height": 1080})
DESKTOP = dict(viewport={"width": 1400, "height": 1000})
MIN_PRESENTER_TEXT_PX = 24
MIN_PRESENTER_CHART_PX = 20
MIN_PRESENTER_CAPTION_PX = 160  # under ~7 em of 24 px text a caption wraps nearly a word a line
TIMEOUT_MS = 120_000


@dataclass(frozen=True)
class Main:
    """A page's main picture and main control (CSS selectors; the first match counts)."""

    picture: str
    control: str


SLIDER = "[data-testid=stMain] [data-testid=stSlider]"
PICTURE = "[data-testid=stMain] figure.vae-picture img"
CHART = "[data-testid=stMain] [data-testid=stPlotlyChart]"
PICKER = "[data-testid=stMain] .vae-pick-plot"  # a picture picker's picture with its axes (views/live/pick.js)
# The first shown of a server-drawn picture or slider and the live one (views/live) that takes its place once the
# browser has the model: a hidden twin has an empty box, which would pass the fold check whatever the page shows.
SHOWN_PICTURE = f"{PICTURE}, [data-testid=stMain] .vae-live-picture canvas >> visible=true"
SHOWN_SLIDER = f"{SLIDER}, [data-testid=stMain] .vae-sliders label >> visible=true"  # one slider, not a group
MAIN = {
    "start": Main(PICTURE, "[data-testid=stMain] [data-testid=stButton]"),
    "lessons": Main("[data-testid=stMain] h4",
                    "[data-testid=stMain] [data-testid=stButton]"),
    "reconstruct": Main("[data-testid=stMain] [class*=st-key-vae_fallback_recon_mu] img, "  # the reconstruction
                        "[data-testid=stMain] .vae-live-picture[data-group=recon_mu] canvas >> visible=true",
                        SHOWN_SLIDER),
    "upload": Main("[data-testid=stMain] canvas.vae-draw-canvas",
                   "[data-testid=stMain] [data-testid=stFileUploaderDropzone]"),
    "maths": Main("[data-testid=stMain] .katex-display", "[data-testid=stMain] [data-testid=stMetric]"),
    "mean": Main(SHOWN_PICTURE, SHOWN_SLIDER),
    "variance": Main(SHOWN_PICTURE, SHOWN_SLIDER),
    "sample": Main(SHOWN_PICTURE, SHOWN_SLIDER),
    "interpolate": Main(SHOWN_PICTURE, SHOWN_SLIDER),
    "manifold": Main(PICKER, SHOWN_SLIDER),
    "map": Main(PICKER, "[data-testid=stMain] [data-testid=stButtonGroup], "  # the class pills: Streamlit's, or live
                "[data-testid=stMain] .vae-pills >> visible=true"),
    "pad": Main("[data-testid=stMain] .vae-pad canvas.pad", SLIDER),
    "compare": Main("[data-testid=stMain] [data-testid=stDataFrame]", "[data-testid=stMain] [data-testid=stDataFrame]"),
    "objectives": Main("[data-testid=stMain] [data-testid=stDataFrame]",
                       "[data-testid=stMain] [data-testid=stDataFrame]"),
    "replay": Main(PICTURE, SLIDER),
}
PAGES = [spec.url_path for spec in navigation.PAGES]


def open_page(page: Page, url: str, url_path: str) -> None:
    page.goto(f"{url}/{url_path}")
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=TIMEOUT_MS)
    live_app.wait_idle(page, TIMEOUT_MS)


def presenter_on(page: Page) -> None:
    """Turn presenter mode on with the sidebar's toggle, as a teacher does (it is not in the URL)."""
    page.locator("[data-testid=stSidebar]").get_by_text("Presenter mode").click()
    page.wait_for_timeout(500)  # the rerun starts a moment after the click
    live_app.wait_idle(page, TIMEOUT_MS)
    page.wait_for_timeout(800)  # the sidebar's collapse and the charts' resize are animated


# --- what is measured (JavaScript run in the page) ---------------------------------------------------------------

AXE_RUN = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return result.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
        rule: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary.replace(/\\s+/g, " ")),
    }));
}"""

# Both walk into open shadow roots: components (the pad, the drawing canvas) draw their elements inside one.
SHADOW_HELPERS = """
    const up = el => el.parentElement || (el.getRootNode() instanceof ShadowRoot ? el.getRootNode().host : null);
    const roots = root => [root, ...[...root.querySelectorAll("*")].filter(e => e.shadowRoot)
                                         .flatMap(e => roots(e.shadowRoot))];
"""

# Elements of the main area whose right edge passes the viewport's. Not counted: what a scroll box the reader can
# swipe holds (the nearest box that clips the element scrolls, and fits on the screen), and what is visually hidden
# for screen readers (clipped to a 1 px box). Content clipped by a box that does not scroll (an SVG chart's title) is
# cut off, and counts.
OVERFLOW = """() => {""" + SHADOW_HELPERS + """
    const width = document.documentElement.clientWidth;
    const main = document.querySelector("[data-testid=stMain]");
    const excused = el => {
        for (let a = up(el); a && a !== main; a = up(a)) {
            const s = getComputedStyle(a);
            if (s.overflowX === "visible") continue;
            const r = a.getBoundingClientRect();
            if (r.width <= 1 || r.height <= 1) return true;
            return ["auto", "scroll"].includes(s.overflowX) && r.right <= width + 1;
        }
        return false;
    };
    const out = [];
    for (const el of roots(main).flatMap(root => [...root.querySelectorAll("*")])) {
        const r = el.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1 || r.right <= width + 1) continue;
        const s = getComputedStyle(el);
        if (s.visibility === "hidden" || s.display === "none" || s.position === "fixed" || excused(el)) continue;
        const id = el.getAttribute("data-testid") || el.className.baseVal || el.className || "";
        const text = (el.textContent || "").trim().slice(0, 30);
        out.push(`${el.tagName.toLowerCase()}.${String(id).slice(0, 30)} "${text}" ends at ${Math.round(r.right)} px`);
    }
    return out;
}"""

# The rendered size of every visible piece of text: HTML text (its element's computed font size) and chart text
# (SVG <text> scaled by the chart's transform), with where it is and what it says.
FONT_SIZES = """() => {""" + SHADOW_HELPERS + """
    const seen = [];
    const visible = el => {
        for (let a = el; a; a = up(a)) {
            const s = getComputedStyle(a);
            if (s.display === "none" || s.visibility === "hidden" || s.opacity === "0") return false;
        }
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.right > 0 && r.left < document.documentElement.clientWidth;
    };
    const texts = roots(document.body).flatMap(root => {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), found = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) found.push(node);
        return found;
    });
    for (const node of texts) {
        const el = node.parentElement;
        const text = node.textContent.trim();
        if (!text || !el || ["SCRIPT", "STYLE", "NOSCRIPT"].includes(el.tagName) || !visible(el)) continue;
        if (el.closest("[aria-hidden=true]") && !el.closest("svg")) continue;  // not read, not meant to be seen
        const inChart = !!el.closest("svg");
        let px = parseFloat(getComputedStyle(el).fontSize);
        if (inChart && el.getScreenCTM()) px *= Math.hypot(el.getScreenCTM().a, el.getScreenCTM().b);
        seen.push({px: Math.round(px * 10) / 10, chart: inChart, text: text.slice(0, 40),
                   where: (el.closest("[data-testid]") || el.getRootNode().host || el).getAttribute("data-testid")
                          || el.tagName});
    }
    return seen;
}"""

# The captions (of pictures, and Streamlit's) of the main area narrower than `min` px, with what they say. Short
# ones (a picture's "z0") may be narrow.
NARROW_CAPTIONS = """(min) => [...document.querySelectorAll(
        "[data-testid=stMain] figcaption, [data-testid=stMain] [data-testid=stCaptionContainer]")]
    .filter(el => el.offsetParent && el.textContent.trim().length > 20)
    .map(el => ({px: Math.round(el.getBoundingClientRect().width), text: el.textContent.trim().slice(0, 40)}))
    .filter(c => c.px < min)"""

FITS = """(el) => { const r = el.getBoundingClientRect();
    return {top: Math.round(r.top), bottom: Math.round(r.bottom), height: innerHeight}; }"""


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN, AXE_TAGS)


def overflowing(page: Page) -> list[str]:
    return page.evaluate(OVERFLOW)


def too_small(page: Page) -> list[dict]:
    """The visible texts under the presenter minimum (MIN_PRESENTER_CHART_PX for chart labels)."""
    return [t for t in page.evaluate(FONT_SIZES)
            if t["px"] < (MIN_PRESENTER_CHART_PX if t["chart"] else MIN_PRESENTER_TEXT_PX)]


def smallest_font(page: Page) -> tuple[float, float]:
    """The smallest rendered font size of visible text and of chart text (inf when there is none)."""
    sizes = page.evaluate(FONT_SIZES)
    return (min((t["px"] for t in sizes if not t["chart"]), default=float("inf")),
            min((t["px"] for t in sizes if t["chart"]), default=float("inf")))


def above_the_fold(page: Page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(FITS, timeout=10_000)


# --- the checks -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe_path() -> Path:
    if not AXE.is_file():
        reason = f"axe-core not found at {AXE}: run `npm ci` in the repository root (package.json pins it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: a missing prerequisite is a failure, not a skip)")
        pytest.skip(reason)
    return AXE


@contextmanager
def screen(browser: Browser, **options) -> Iterator[Page]:
    """A page in a new browser context with `options` (a viewport, touch), closed on exit."""
    ctx = browser.new_context(**options)
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def desktop(browser: Browser) -> Iterator[Page]:
    with screen(browser, **DESKTOP) as page:
        yield page


@pytest.fixture(scope="module")
def phone(browser: Browser) -> Iterator[Page]:
    with screen(browser, **PHONE) as page:
        yield page


@pytest.fixture(scope="module")
def projector(browser: Browser) -> Iterator[Page]:
    with screen(browser, **PROJECTOR) as page:
        yield page


def test_every_page_has_its_main_picture_and_control() -> None:
    assert set(MAIN) == set(PAGES)


@pytest.mark.parametrize("screen_name", ["desktop", "phone"])
@pytest.mark.parametrize("url_path", PAGES)
def test_no_serious_or_critical_accessibility_violation(request: pytest.FixtureRequest, streamlit_server: str,
                                                        axe_path: Path, url_path: str, screen_name: str) -> None:
    """On a phone too: there Streamlit's page menu moves into the sidebar, with markup of its own."""
    page = request.getfixturevalue(screen_name)
    open_page(page, streamlit_server, url_path)
    violations = axe_violations(page)
    assert not violations, "\n".join(
        f"{v['impact']} {v['rule']} ({v['help']}):\n    " + "\n    ".join(v["nodes"][:8]) for v in violations)


@pytest.mark.parametrize("url_path", PAGES)
def test_nothing_reaches_past_a_phones_right_edge(phone: Page, streamlit_server: str, url_path: str) -> None:
    """Nor is a formula cut off: KaTeX scrolls a display formula wider than its column, with nothing to say so."""
    open_page(phone, streamlit_server, url_path)
    assert not (out := overflowing(phone)), f"{len(out)} elements wider than the phone:\n" + "\n".join(out[:15])
    hidden = phone.evaluate("() => [...document.querySelectorAll('.katex-display')].map((k) => k.scrollWidth - "
                            "k.clientWidth).filter((px) => px > 4)")
    assert not hidden, f"formulas cut off on a phone by {hidden} px"


def test_on_a_phone_each_section_of_the_page_menu_is_a_list_of_its_pages(phone: Page, streamlit_server: str) -> None:
    """Streamlit puts the menu's sections as <div>s in one <ul> (views/live/nav_roles.js gives them list roles): a
    screen reader hears each section as a list named by its header, its pages as the items, after "View more" and a
    page switch too."""
    open_page(phone, streamlit_server, "start")
    phone.get_by_test_id("stExpandSidebarButton").click()

    def sections() -> dict[str, list[str]]:
        lists = phone.get_by_test_id("stSidebarNavItems").get_by_role("list")
        return {lst.get_attribute("aria-label"): [link.inner_text().split("\n")[-1]
                                                   for link in lst.get_by_role("listitem").get_by_role("link").all()]
                for lst in lists.all()}

    shown = sections()
    assert shown["Start"] == ["Start here", "Lessons"] and shown["Perturb"] == [
        "Mean perturbation", "Variance perturbation"]
    phone.get_by_test_id("stSidebarNavViewButton").click()
    expect(phone.get_by_role("list", name="Models").get_by_role("listitem")).to_have_count(3)
    every = sections()
    assert list(every) == list(dict.fromkeys(spec.section for spec in navigation.PAGES))
    assert [title for titles in every.values() for title in titles] == [spec.title for spec in navigation.PAGES]
    phone.get_by_role("list", name="Generate").get_by_role("link", name="Sample").click()
    phone.wait_for_url(re.compile(r"/sample(\?|$)"))
    live_app.wait_idle(phone, TIMEOUT_MS)
    expect(phone.get_by_role("list", name="Generate").get_by_role("listitem")).to_have_count(2)


@pytest.mark.parametrize("url_path", ["sample", "variance"])
def test_on_a_phone_the_picture_and_the_controls_beside_it_stack_close_together(
        phone: Page, streamlit_server: str, url_path: str) -> None:
    """Side by side on a wide screen (a large gap apart); stacked on a phone, one line of space apart, not four."""
    open_page(phone, streamlit_server, url_path)
    row = phone.locator(f".st-key-picture_row_{url_path}")
    gap = row.evaluate("""r => {
        const [a, b] = [...r.children].filter((c) => c.offsetHeight > 0).map((c) => c.getBoundingClientRect());
        return b.top - a.bottom;
    }""")
    assert 0 <= gap <= 16


@pytest.mark.parametrize("url_path", PAGES)
def test_presenter_mode_is_readable_from_the_back_with_the_main_picture_in_view(
        projector: Page, streamlit_server: str, url_path: str) -> None:
    open_page(projector, streamlit_server, url_path)
    presenter_on(projector)
    small = too_small(projector)
    assert not small, f"{len(small)} texts too small for a projector:\n" + "\n".join(map(str, small[:15]))
    narrow = projector.evaluate(NARROW_CAPTIONS, MIN_PRESENTER_CAPTION_PX)
    assert not narrow, f"captions too narrow for a projector's text: {narrow}"
    sidebar = projector.locator("[data-testid=stSidebar]")
    assert sidebar.get_attribute("data-collapsed") == "true", "the sidebar stays open in presenter mode"
    for what, selector in (("main picture", MAIN[url_path].picture), ("main control", MAIN[url_path].control)):
        box = above_the_fold(projector, selector)
        assert 0 <= box["top"] and box["bottom"] <= box["height"], f"the {what} is not in view at 1920 x 1080: {box}"


def measure(url: str) -> None:
    """Print, for every page, the serious/critical axe violations, the elements past a phone's edge, the smallest
    fonts in presenter mode and where the main picture ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, ExitStack() as stack:
        browser = live_app.launch_chromium(p)
        pages = {name: stack.enter_context(screen(browser, **options))
                 for name, options in (("desktop", DESKTOP), ("phone", PHONE), ("projector", PROJECTOR))}
        print("page          axe(serious+critical: rules)  phone-overflow  presenter: smallest text/chart px, "
              "texts too small, picture bottom, control bottom (of 1080)")
        for url_path in PAGES:
            open_page(pages["desktop"], url, url_path)
            violations = axe_violations(pages["desktop"])
            nodes = sum(len(v["nodes"]) for v in violations)
            open_page(pages["phone"], url, url_path)
            out = overflowing(pages["phone"])
            projector = pages["projector"]
            open_page(projector, url, url_path)
            presenter_on(projector)
            text, chart = smallest_font(projector)
            try:
                picture = above_the_fold(projector, MAIN[url_path].picture)["bottom"]
                control = above_the_fold(projector, MAIN[url_path].control)["bottom"]
            except Exception as e:  # noqa: BLE001 - a figure to print, not a check
                picture = control = f"? {str(e)[:60]}"
            rules = ",".join(f"{v['rule']}x{len(v['nodes'])}" for v in violations)
            print(f"{url_path:13} {nodes:3} {rules:30} {len(out):4}  {text:5} {chart:5} {len(too_small(projector)):4} "
                  f"{picture:5} {control:5}", flush=True)
            for line in out[:3]:
                print("      overflow:", line)


PHONE_SHOT_MAX_PX = 2400  # a phone screenshot shows at most this much of a long page


def small_png(path: Path, scale: float = 1.0) -> None:
    """Shrink a screenshot for the repository: scaled, 256 colours (text and digits stay sharp)."""
    from PIL import Image

    picture = Image.open(path).convert("RGB")
    if scale != 1.0:
        picture = picture.resize((round(picture.width * scale), round(picture.height * scale)), Image.LANCZOS)
    picture.quantize(256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


def screenshots(url: str, folder: Path, pages: list[str] | None = None) -> None:
    """docs/screenshots: every page (or those in `pages`) on a phone (the whole page, up to PHONE_SHOT_MAX_PX tall;
    and the sidebar once, when all pages are taken) and on a projector in presenter mode (what the room sees, at
    half size)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, ExitStack() as stack:
        browser = live_app.launch_chromium(p)
        phone = stack.enter_context(screen(browser, **{**PHONE, "device_scale_factor": 1}))
        projector = stack.enter_context(screen(browser, **PROJECTOR))
        for url_path in pages or PAGES:
            open_page(phone, url, url_path)
            height = phone.locator("[data-testid=stMain]").evaluate("el => el.scrollHeight")
            phone.set_viewport_size({"width": PHONE["viewport"]["width"], "height": min(height, PHONE_SHOT_MAX_PX)})
            phone.wait_for_timeout(800)  # charts and pictures follow the new height
            phone.screenshot(path=str(folder / f"phone-{url_path}.png"))
            small_png(folder / f"phone-{url_path}.png")
            phone.set_viewport_size(PHONE["viewport"])
            open_page(projector, url, url_path)
            presenter_on(projector)
            projector.screenshot(path=str(folder / f"projector-{url_path}.png"))
            small_png(folder / f"projector-{url_path}.png", 0.5)
            print(url_path, flush=True)
        if pages:
            return
        open_page(phone, url, "reconstruct")
        phone.get_by_test_id("stExpandSidebarButton").click()
        sidebar = phone.locator("[data-testid=stSidebar]")
        sidebar.get_by_role("button", name="9", exact=True).scroll_into_view_if_needed()
        phone.wait_for_timeout(800)
        phone.screenshot(path=str(folder / "phone-sidebar.png"))
        small_png(folder / "phone-sidebar.png")


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[2] == "--screenshots":
        screenshots(sys.argv[1], Path(sys.argv[3]), sys.argv[4:])
    else:
        measure(sys.argv[1])
