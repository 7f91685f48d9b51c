"""Slider-to-picture latency in a real browser: each view against a floor app that does nothing.

Starts `streamlit run app.py` and `streamlit run benchmarks/floor_app.py` (one slider, one 280 x 280 picture),
opens each view in headless Chromium at /<url_path>, focuses the view's main slider and presses ArrowRight and
ArrowLeft alternately. Each press is timed in the page from the keydown event (its timeStamp: when the key was
pressed, as a person feels it), twice:
- shown: until the new picture is on screen: the first animation frame after a live picture (views/live: decoded
  in the browser as the slider moves) or a picture picker (the latent map drawn from its points, the manifold's
  grid of another pair of dimensions) drew it, or the main area's pictures or a picture picker's marks changed
  (pick.js draws a map pick's marks itself), decoded and painted, whichever comes first.
- synced: until the server's pictures have changed and been drawn (the release path: on a live page the twin the
  browser keeps hidden, after a pick the sidebar's current digit; with them the page's state in Python, the URL
  and the rest of the page are up to date): a MutationObserver sees a new `src` of an <img> in the main area or
  the sidebar (or, for the latent map, which has no server picture, the picker's view from the server naming new
  classes or a new range), the new pictures are decoded, then two animation frames pass (the first paint that
  shows them).
Before the next press the script run must be over, so presses never overlap.

The synced time is split into phases, from the page's own timestamps (p50 of each is printed): commit, keydown ->
the new value sent over the websocket (Streamlit 1.67's react-aria slider commits on keydown, not keyup); server,
sent -> the websocket message that brought the change (the script run, the transfer); browser, that message ->
drawn (applying it, decoding the picture, painting). The latent map has no slider. There `map` clicks the
sidebar's class buttons 0 and 1 alternately (timed from pointerdown), which reruns the whole app and moves the
current digit's marks over the map (`digit`: the same buttons on Variance, whose live grid follows the new
digit); `pick` picks a test digit on the map itself, with the keyboard: an arrow key
moves the picker's cursor to a neighbouring digit (untimed), Enter picks it (timed from its keydown), which reruns
the page's fragment, then the whole app. `eps` presses the manifold's eps slider (live, like the grid size: the
picker holds the grids one step away); `replay` the Training replay's epoch slider (live over its snapshots,
whose pictures the page holds). `switch` goes from Variance to Sample and back by the top
menu (opened untimed; timed from the pointerdown on the page's link; there only a picture the page did not show
before counts, as the old page's are first taken away). The choice views (`resample`, `count`, `unit`, `spacing`,
`dims`, `endpoint`, `path`, `classes`, `range`, `reset`; each one's note says what it presses) click a button, a
radio or a pill, pick a select box's option (opened untimed), or press an arrow key on a live select box, timed
from the pointerdown or keydown. CPU: the server process's CPU time (user
+ system, /proc) per timed press, settling included; unlike wall-clock times it hardly moves when other jobs load
the machine.

Target (issue 16): each view's shown p95 within 1.3x of the floor's p95, the manifold (at n = 30) and the map
included. The synced ratio is printed beside it, and a page switch is also put against the bare two-page floor's
switch (floor_pages_app.py), the least a Streamlit page switch costs.

    .venv/bin/python benchmarks/bench_browser.py [--presses 30] [--views reconstruct,mean,...] [--model mnist-z20]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py, when run from anywhere (make bench)

from harness import (  # noqa: E402
    TIMEOUT_MS,
    VIEWPORT,
    launch_chromium,
    machine_line,
    percentiles,
    streamlit_process,
    wait_idle,
)

PRESS_TIMEOUT_MS = 60_000
SETTLE_MS = 150  # after a press is done, before the next: lets late deltas and media requests finish
FLOOR_RATIO = 1.3
MANIFOLD_N = 30


@dataclass
class View:
    path: str
    slider: str | None  # the aria-label (the widget label) of the main slider, or its start if it ends with '*'
    set_to: float | None = None  # move the slider to this value first (arrow presses, each waited for)
    note: str = ""
    model: str | None = None  # open the view on this model, unless --model says otherwise


VIEWS = {
    "reconstruct": View("reconstruct", "Stochastic reconstructions"),
    "mean": View("mean", "z*", note="the slider of the dimension with the highest KL"),
    "variance": View("variance", "s (multiplies sigma)"),
    "sample": View("sample", "Temperature T"),
    "samplepick": View("sample", "Sample #", note="Sample's Sample # slider (live): the framed draw moves"),
    "interpolate": View("interpolate", "Steps"),
    "frame": View("interpolate", "Frame*", note="the Interpolate page's frame slider"),
    "manifold": View("manifold", "Grid size n (n x n digits)", set_to=MANIFOLD_N,
                     note=f"n = {MANIFOLD_N} and {MANIFOLD_N - 1}"),
    "eps": View("manifold", "eps*", note="the manifold's eps slider (n = 20)"),
    "replay": View("replay", "Epoch", set_to=8, note="the Training replay's epoch slider, snapshots 8 and 7"),
    "map": View("map", None, note="sidebar class buttons 0/1: a whole-app rerun"),
    "digit": View("variance", None, note="sidebar class buttons 0/1 on Variance: a whole-app rerun"),
    "pick": View("map", None, note="a pick on the map: arrow key (untimed), then Enter"),
    "switch": View("variance", None, note="a page switch, Variance <-> Sample, from the top menu: a whole-app rerun"),
    "resample": View("variance", None, note="Variance's Resample button (live): the next random draws"),
    "count": View("variance", None, note="Variance's Samples choice (live), 16 <-> 36"),
    "unit": View("mean", None, note="Mean's unit choice (live), prior <-> posterior sigma"),
    "spacing": View("manifold", None, note="the manifold's spacing radio, gaussian <-> linear"),
    "dims": View("manifold", None, model="mnist-z20", note="the manifold's Horizontal dimension, z0 <-> z1 (z20)"),
    "endpoint": View("interpolate", None, note="Interpolate's Endpoint A, class 4 <-> 5 (the live select's arrows)"),
    "path": View("interpolate", None, note="Interpolate's path, linear <-> slerp"),
    "classes": View("map", None, note="the map's class pill 3, off <-> on"),
    "range": View("map", None, model="mnist-z2", note="the map's z-range toggle, off <-> on (z2)"),
    "reset": View("mean", None, note="Mean's Reset, after an offset moved (untimed)"),
    "padrange": View("pad", "Range of both axes — start", model="mnist-z20",
                     note="the latent pad's range, its start -3 <-> -2.5 (z20)"),
    "paddims": View("pad", None, model="mnist-z20", note="the latent pad's Horizontal dimension, z0 <-> z1 (z20)"),
    "axes": View("upload", None, model="mnist-z20", note="the drawing map's Map across, z0 <-> z1 (z20)"),
}
# The choices the choice views click in turn (radio labels, select box options; a pill or toggle: its label).
CHOICES = {"count": ("36", "16"), "unit": ("posterior sigma_i", "prior sigma (= 1)"),
           "spacing": ("linear", "gaussian (equal prior mass per cell)"), "dims": ("z0", "z1"),
           "endpoint": ("class 3", "class 5"), "path": ("spherical (slerp)", "linear"), "classes": ("3", "3"),
           "range": ("Same z-range as the manifold",) * 2, "paddims": ("z0", "z1"), "axes": ("z0", "z1")}
# The select boxes (label) of the choice views that have one: opened untimed, an option clicked.
SELECTS = {"count": "Samples", "dims": "Horizontal dimension", "endpoint": "Endpoint A", "paddims": "Horizontal",
           "axes": "Map across"}
# (menu, page) of the top navigation, visited in turn from Variance: each shows a picture the other does not.
SWITCH_PAGES = (("Generate", "Sample"), ("Perturb", "Variance perturbation"))
FLOOR = View("", "Value")

# Installed before any page script: timestamps of websocket sends (a new widget value going to the server) and
# receipts (the server's messages: script started, deltas, script finished).
INIT_SCRIPT = """
window.__wsSends = [];
window.__wsReceipts = [];
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (...args) {
    window.__wsSends.push(performance.now());
    return send.apply(this, args);
};
window.WebSocket = class extends WebSocket {
    constructor(...args) {
        super(...args);
        this.addEventListener('message', () => window.__wsReceipts.push(performance.now()));
    }
};
"""

# Arms one measurement: records the first keydown/pointerdown after arming, watches the main area for a change
# of its pictures (<img> srcs, plotly <image> hrefs, picture pickers' marks: views/live/pick.js), waits for the new
# pictures to decode and for two animation frames.
ARM = """(newPage) => {
    const main = document.querySelector('[data-testid=stMain]') || document.body;
    const side = document.querySelector('[data-testid=stSidebar]');
    // The server's pictures (tables of pictures among them); the sidebar's digit panel and a page's live input
    // picture (views/live/digits.js) draw a pressed button's digit at once: that is shown, not synced.
    const srcs = (root) => (root ? [...root.querySelectorAll('figure.vae-picture img, .vae-table img')] : [])
        .filter((i) => !i.closest('.vae-digits, .vae-digit-input')).map((i) => i.getAttribute('src'));
    const digitNow = () => side?.querySelector('.vae-digits figure img')?.getAttribute('src');
    const marks = (f) => f.querySelector('svg').innerHTML
        + [...f.querySelectorAll('.vae-pick-cross, .vae-pick-ring')].map((m) => m.style.cssText).join();
    const marksNow = () => [...main.querySelectorAll('.vae-pick-frame')].map(marks).join('|');
    // A latent map drawn in the browser (views/live/scatter.js) changes no server picture: its run is over when the
    // picker's view from the server names what it shows. So for the latent pad and the drawing's map, whose axes'
    // text is the run's.
    const viewsNow = () => [...main.querySelectorAll('.vae-pick')].map((f) => f.dataset.view ?? '')
        .concat([...main.querySelectorAll('.vae-pad-axes, .vae-draw-map figcaption')].map((e) => e.textContent))
        .join('|');
    // Pictures changed: their srcs in order differ from before. After a page switch (newPage), only a picture the
    // page did not show before counts: the old page's pictures are first taken away.
    const changed = (roots) => {
        const now = roots.flatMap(srcs);
        const before = roots === both ? bothBefore : mainBefore;
        return newPage ? now.some((src) => !before.includes(src)) : now.join('|') !== before.join('|');
    };
    const both = [main, side];
    const [mainBefore, bothBefore, marksBefore, digitBefore, viewsBefore] =
        [srcs(main), both.flatMap(srcs), marksNow(), digitNow(), viewsNow()];
    // synced: the server's pictures changed, in the main area (a picker's picture among them) or the sidebar (the
    // current digit). shown: the main area's pictures changed, or a picker's marks moved (pick.js draws a pick's),
    // or the sidebar's live digit.
    const synced = () => changed(both) || viewsNow() !== viewsBefore;
    const shown = () => changed([main]) || marksNow() !== marksBefore || digitNow() !== digitBefore;
    const s = {t0: null, sent: null, received: null, changed: null, drawn: null, shown: null, done: false};
    window.__bench = s;
    const showAt = (t) => { if (s.shown === null || t < s.shown) s.shown = t; };
    // After a change: its pictures decoded, then two animation frames (the first paint that shows them).
    const drawn = async (root) => {
        const imgs = [...root.querySelectorAll('figure.vae-picture img')];
        await Promise.all(imgs.map((i) => i.decode().catch(() => null)));
        return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now()))));
    };
    // A live picture (views/live) draws the key press's picture in the browser: shown is the first animation frame
    // after the frame that drew it (that frame's paint is on screen by then). A frame's timestamp is its start, so
    // a frame that began after the drawing is a later one.
    const live = window.vaeLive;
    const drawnHere = '.vae-live-picture.ready, .vae-pick, .vae-pad.ready, .vae-draw.ready';
    if (live?.lastFrame && document.querySelector(drawnHere)) {
        const poll = (at) => {
            if (s.done) return;
            const drew = live.lastFrame();
            if (s.t0 !== null && drew > s.t0 && at > drew) showAt(performance.now());
            else requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
    }
    let shownChanged = false;
    const onInput = (e) => { if (s.t0 === null) s.t0 = e.timeStamp; };
    window.addEventListener('keydown', onInput, {capture: true});
    window.addEventListener('pointerdown', onInput, {capture: true});
    const sendsBefore = window.__wsSends.length;
    const observer = new MutationObserver(async () => {
        if (s.t0 === null) return;
        if (!shownChanged && shown()) {
            shownChanged = true;
            drawn(main).then(showAt);
        }
        if (s.changed !== null || !synced()) return;
        s.changed = performance.now();
        observer.disconnect();
        window.removeEventListener('keydown', onInput, {capture: true});
        window.removeEventListener('pointerdown', onInput, {capture: true});
        const sends = window.__wsSends.slice(sendsBefore).filter((t) => t >= s.t0);
        s.sent = sends.length ? sends[0] : null;
        const receipts = window.__wsReceipts.filter((t) => t >= s.t0 && t <= s.changed);
        s.received = receipts.length ? receipts[receipts.length - 1] : null;  // the message that brought the change
        s.drawn = await drawn(document);
        showAt(s.drawn);
        s.done = true;
    });
    observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    return bothBefore.length;
}"""


PHASES = ("shown", "synced", "commit", "server", "browser", "over")


@dataclass
class Result:
    """Milliseconds per timed press, by phase: shown = keydown -> the new picture on screen (a live picture's
    frame, or the server's picture); synced = keydown -> the server's picture drawn (the release path: on a live
    page the twin the browser keeps hidden, and the page's state in Python); commit = keydown -> the value sent;
    server = sent -> the message that brought the change (script run and transfer); browser = that message ->
    synced (applying the delta, decoding the picture, painting); over = keydown -> the run's last message (or
    synced, if later): where the release changes no picture (the manifold's grid shown at once), its end."""

    name: str
    phases: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PHASES})
    misses: int = 0
    error: str | None = None
    cpu_ms: float = float("nan")  # the server process's CPU time (user + system) per timed press

    def add(self, s: dict) -> None:
        self.phases["shown"].append(s["shown"] - s["t0"])
        self.phases["synced"].append(s["drawn"] - s["t0"])
        if s["sent"] is not None:
            self.phases["commit"].append(s["sent"] - s["t0"])
            if s["received"] is not None:
                self.phases["server"].append(s["received"] - s["sent"])
        if s["received"] is not None:
            self.phases["browser"].append(s["drawn"] - s["received"])
        self.phases["over"].append(max(s["over"], s["drawn"]) - s["t0"])


def main_slider(page, label: str):
    """The visible <input type=range> of the main area's slider with this label (or label prefix, if it ends with
    '*'): a Streamlit slider, or the live slider (views/live) that replaces it once the browser has the model. A
    live slider's key press is a release: it reruns the page, whose server-drawn (hidden) pictures then change."""
    main = page.get_by_test_id("stMain")
    streamlit = [(s, s.get_attribute("aria-label") or "")
                 for s in main.locator("[data-testid=stSlider] input[type=range]").all()]
    live = [(s, s.evaluate("e => e.getAttribute('aria-label')"  # a range's thumbs are named each
                           " ?? e.closest('.vae-slider').querySelector('.vae-slider-head span').textContent"))
            for s in main.locator(".vae-sliders input[type=range]").all()]
    for slider, name in live + streamlit:
        if slider.is_visible() and (name == label or (label.endswith("*") and name.startswith(label[:-1]))):
            return slider
    raise LookupError(f"no visible slider labelled {label!r} on this page")


def page_problem(page) -> str | None:
    """An exception or error shown by the app, or a dialog (e.g. 'Page not found') that would take the focus."""
    shown = page.locator("[data-testid=stException], [data-testid=stAlertContentError], [role=dialog]")
    return shown.first.inner_text()[:300] if shown.count() else None


def check_model(page, model: str) -> None:
    """The sidebar's model picker shows `model` (opened with ?model=..., the picker's query parameter)."""
    shown = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model").input_value()
    if shown != model:
        raise SystemExit(f"asked for model {model!r} in the URL, the app shows {shown!r}")


def press_once(page, act, prepare=None, new_page: bool = False) -> dict | None:
    """Prepare (untimed), arm the in-page timer, act (press a key or click), wait for the change (with `new_page`,
    for pictures the page did not show before); the page's timestamps, or None."""
    if prepare:
        prepare()
    page.evaluate(ARM, new_page)
    act()
    try:
        handle = page.wait_for_function("() => window.__bench && window.__bench.done && window.__bench",
                                        timeout=PRESS_TIMEOUT_MS)
        timestamps = handle.json_value()
    except Exception:  # noqa: BLE001 - a Playwright timeout: the picture never changed
        timestamps = None
    wait_idle(page)
    if timestamps is not None:  # the last message of the run: the page's state in Python is the new one
        timestamps["over"] = page.evaluate("() => window.__wsReceipts.at(-1)")
    page.wait_for_timeout(SETTLE_MS)
    return timestamps


def slider_actions(page, view: View, count: int) -> list:
    """`count` alternating arrow presses on the view's main slider (moved to `view.set_to` first)."""
    slider = main_slider(page, view.slider)
    if view.set_to is not None:
        while float(slider.input_value()) != view.set_to:
            slider.focus()
            page.keyboard.press("ArrowRight" if float(slider.input_value()) < view.set_to else "ArrowLeft")
            time.sleep(0.3)
            wait_idle(page)
    keys = ("ArrowLeft", "ArrowRight") if view.set_to is not None else ("ArrowRight", "ArrowLeft")

    def press(key: str):
        def act():
            slider.focus()  # a rerun may have moved the focus; focusing is not timed (the keydown starts the clock)
            page.keyboard.press(key)
        return act

    return [press(keys[i % 2]) for i in range(count)]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process `pid` has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def interactions(page, name: str, view: View, count: int) -> tuple[list, list]:
    """`count` (untimed preparation or None, timed action) pairs for the view, as two lists."""
    if name == "pick":  # the map's picker: the arrow keys move its cursor to a test digit, Enter picks it
        picture = page.locator(".vae-pick-frame")
        preparations = [lambda key=("ArrowRight", "ArrowLeft")[i % 2]: (picture.focus(), page.keyboard.press(key))
                        for i in range(count)]
        return preparations, [lambda: page.keyboard.press("Enter")] * count
    if name == "switch":  # the top navigation: open the section's menu (untimed), click the other page
        nav = page.get_by_test_id("stTopNav")
        menus, targets = zip(*(SWITCH_PAGES[i % 2] for i in range(count)), strict=True)
        return ([lambda menu=menu: nav.get_by_text(menu, exact=True).click() for menu in menus],
                [lambda target=target: page.get_by_test_id("stTopNavDropdownLink").filter(
                    has_text=re.compile(rf"{target}$")).click() for target in targets])
    main = page.get_by_test_id("stMain")
    if name == "resample":
        # the live button (views/live: a stepper), or its Streamlit twin where the browser has no model yet
        button = page.locator(".vae-stepper[data-group=variance] button, .st-key-variance_resample button"
                              " >> visible=true").first
        return [None] * count, [button.click] * count
    if name == "reset":  # an offset slider's arrow key (untimed, waited for), then Reset
        def move_offset():
            main_slider(page, "z*").focus()
            page.keyboard.press("ArrowRight")
            wait_idle(page)
            page.wait_for_timeout(SETTLE_MS)
        return [move_offset] * count, [main.get_by_role("button", name="Reset", exact=True).click] * count
    live = main.locator(".vae-choices.ready").filter(has_text=SELECTS.get(name, ""))
    if name in SELECTS and live.locator("select").count():  # a live select box: focused (untimed), arrow keys
        select = live.locator("select")
        return ([select.focus] * count, [lambda key=("ArrowDown", "ArrowUp")[i % 2]: page.keyboard.press(key)
                                         for i in range(count)])
    if name in SELECTS and not live.count():  # a Streamlit select box, opened untimed
        box = main.get_by_role("combobox", name=SELECTS[name])

        def open_box():  # mid-screen: at the window's bottom edge a click leaves the list closed
            box.evaluate("e => e.scrollIntoView({block: 'center'})")
            box.click()
        return ([open_box] * count, [lambda o=CHOICES[name][i % 2]: page.get_by_role("option", name=o, exact=True)
                                     .click() for i in range(count)])
    if name in ("classes", "range"):  # a pill or a switch: the same label, clicked off and on
        live = main.locator(".vae-choices.ready label").filter(has=page.get_by_role(
            "checkbox" if name == "classes" else "switch", name=CHOICES[name][0], exact=True))
        target = (live if live.count() else main.get_by_role("button", name=CHOICES[name][0], exact=True)
                  if name == "classes" else main.get_by_text(CHOICES[name][0], exact=True))
        return [None] * count, [target.click] * count
    if name in CHOICES:  # a radio: the live choice (views/live) where the page has one, else Streamlit's
        return [None] * count, [lambda o=CHOICES[name][i % 2]: (
            live.get_by_role("radio", name=o, exact=True).check() if live.count()
            else main.get_by_text(o, exact=True).click()) for i in range(count)]
    if view.slider is None:  # the map, digit: the sidebar's class buttons
        buttons = [page.get_by_test_id("stSidebar").get_by_role("button", name=str(c), exact=True) for c in (0, 1)]
        return [None] * count, [buttons[i % 2].click for i in range(count)]
    return [None] * count, slider_actions(page, view, count)


def measure(page, url: str, name: str, view: View, presses: int, warmup: int, model: str | None,
            server_pid: int, interaction: str | None = None) -> Result:
    """`warmup` untimed then `presses` timed interactions with one view (those of `interaction`, by default of
    the view `name`)."""
    result = Result(name)
    interaction = interaction or name
    model = model or view.model
    page.goto(f"{url}/{view.path}" + (f"?model={model}" if model else ""))
    wait_idle(page)
    if model:
        check_model(page, model)
    if problem := page_problem(page):
        result.error = problem
        return result
    preparations, actions = interactions(page, interaction, view, warmup + presses)
    for i, (prepare, act) in enumerate(zip(preparations, actions, strict=True)):
        if i == warmup:
            cpu_start = cpu_seconds(server_pid)
        timestamps = press_once(page, act, prepare, new_page=interaction == "switch")
        if i < warmup:
            continue
        if timestamps is None:
            result.misses += 1
        else:
            result.add(timestamps)
    result.cpu_ms = 1000 * (cpu_seconds(server_pid) - cpu_start) / presses
    return result


def print_table(floors: list[Result], results: list[Result]) -> None:
    """Every view's figures against the floor (floors[0]); a page-switch floor (floors[1]) is a reference row."""
    f95 = percentiles(floors[0].phases["synced"])[1]  # the floor has no live picture: shown = synced
    print(f"\n  {'':<12} {'':>3} {'shown (ms)':>17} {'synced (ms)':>17} {'over':>8} {'p50 of the phases (ms)':>28}"
          f" {'':>6} {'p95 / floor p95':>29}")
    print(f"  {'view':<12} {'n':>3} {'p50':>8} {'p95':>8} {'p50':>8} {'p95':>8} {'p95':>8} {'commit':>9} "
          f"{'server':>9} {'browser':>9} {'CPU':>6} {'shown':>9} {'synced':>9} {'over':>9} {'target':>7}")
    for r in [*floors, *results]:
        if r.error:
            print(f"  {r.name:<12} not measured: {r.error!r}")
            continue
        totals = " ".join(f"{x:8.1f}" for p in ("shown", "synced") for x in percentiles(r.phases[p]))
        totals += f" {percentiles(r.phases['over'])[1]:8.1f}"
        phases = " ".join(f"{percentiles(r.phases[p])[0]:9.1f}" for p in ("commit", "server", "browser"))
        line = f"  {r.name:<12} {len(r.phases['shown']):>3} {totals} {phases} {r.cpu_ms:6.1f}"
        if r is not floors[0]:
            shown, synced, over = (percentiles(r.phases[p])[1] / f95 if f95 > 0 else float("nan")
                                   for p in ("shown", "synced", "over"))
            verdict = "PASS" if shown <= FLOOR_RATIO else "FAIL"
            line += f" {shown:9.2f} {synced:9.2f} {over:9.2f} {'<= ' + str(FLOOR_RATIO):>7}  {verdict}"
        if r.misses:
            line += f"  ({r.misses} presses changed no picture)"
        if r.name in VIEWS and VIEWS[r.name].note:
            line += f"  [{VIEWS[r.name].note}]"
        if r.name == "switch" and len(floors) > 1 and not floors[1].error:  # against what a bare switch costs
            bare = percentiles(floors[1].phases["shown"])[1]
            line += f"  ({percentiles(r.phases['shown'])[1] / bare:.2f}x the bare switch's p95)"
        elif r.name == "floor switch":
            line += "  [benchmarks/floor_pages_app.py: the floor's slider and picture as two pages, switched]"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30, help="timed key presses per view (default 30)")
    parser.add_argument("--views", default=",".join(VIEWS), help=f"comma-separated, from {','.join(VIEWS)}")
    parser.add_argument("--model", default=None, help="open the views with ?model=NAME (default: the app default)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed presses first on each page (default 2)")
    args = parser.parse_args()
    names = [v for v in args.views.split(",") if v]
    if unknown := [v for v in names if v not in VIEWS]:
        parser.error(f"unknown views {unknown}; choose from {','.join(VIEWS)}")
    from playwright.sync_api import sync_playwright

    print(machine_line())
    with sync_playwright() as p:
        browser = launch_chromium(p)
        print(f"browser: Chromium {browser.version}, headless; {args.presses} presses per view after {args.warmup} "
              f"untimed; shown = keydown -> new picture on screen, synced = keydown -> the server's picture drawn")
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()

        with streamlit_process("benchmarks/floor_app.py", "bench_browser_floor.log") as (server, url):
            floor = measure(page, url, "floor", FLOOR, args.presses, args.warmup, None, server.pid)
        print(f"floor app done: p95 {percentiles(floor.phases['synced'])[1]:.1f} ms", flush=True)
        floors = [floor]
        if "switch" in names:  # the least a Streamlit page switch costs, for comparison
            with streamlit_process("benchmarks/floor_pages_app.py", "bench_browser_floor_pages.log") as (server, url):
                floors.append(measure(page, url, "floor switch", FLOOR, args.presses, args.warmup, None, server.pid,
                                      "switch"))
            print(f"floor switch done: p95 {percentiles(floors[-1].phases['synced'])[1]:.1f} ms", flush=True)

        results = []
        with streamlit_process("app.py", "bench_browser_app.log") as (server, url):
            for name in names:
                r = measure(page, url, name, VIEWS[name], args.presses, args.warmup, args.model, server.pid)
                results.append(r)
                print(f"{name} done: p95 shown {percentiles(r.phases['shown'])[1]:.1f}, synced "
                      f"{percentiles(r.phases['synced'])[1]:.1f} ms" if not r.error
                      else f"{name}: not measured", flush=True)
        browser.close()
    print_table(floors, results)
    print(f"\n(load average now {machine_line().split('load average ')[1]})")


if __name__ == "__main__":
    main()
