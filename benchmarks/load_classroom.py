"""A full classroom: N browser sessions use the app at once; latency per interaction, errors, server memory.

    .venv/bin/python benchmarks/load_classroom.py --sessions 30 --interactions 20

Starts `streamlit run app.py`, warms it up with one session, then opens N contexts in ONE headless Chromium
(Playwright async API, so the sessions run concurrently). Each session runs the same scripted sequence:
page loads by URL path, slider moves with the keyboard, sidebar class buttons, the manifold size slider and
one PNG upload. An interaction's latency runs from the action until the app reports its script run finished.
Errors: an exception or error alert on the page, a timeout, a crashed page. The server's RSS (VmRSS of the
streamlit process) is read before the sessions open, every 0.5 s while they run (peak), and after they close.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.async_api import Page, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402  (benchmarks/ is not a package)
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    VIEWPORT,
    cpu_model,
    free_port,
    healthy,
    percentiles,
    stop,
    streamlit_command,
)

STEP_TIMEOUT_MS = 60_000  # one interaction taking longer than this counts as an error
SETTLE_S = 10  # Streamlit drops a session's state a little after its websocket closes
SAMPLE_S = 0.5
ERRORS_ON_PAGE = "[data-testid=stException], [data-testid=stAlertContentError]"
SLIDER = "[data-testid=stMain] [data-testid=stSlider] input[type=range]"  # 1.67: react-aria, no role=slider

# Counts finished script runs (full or fragment): the state attribute going to notRunning. A MutationObserver
# sees every change, so a run too short for polling to catch "running" is still counted.
COUNT_RUNS_JS = """
window.__runsDone = 0;
new MutationObserver((records) => {
  for (const r of records) {
    if (r.target.getAttribute('data-test-script-state') === 'notRunning' && r.oldValue !== 'notRunning') {
      window.__runsDone += 1;
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""
# What the visitor sees change: every picture (sidebar and main) and the address (which carries the digit).
APP_SIGNATURE = "location.search + [...document.querySelectorAll('[data-testid=stApp] img')].map(i => i.src).join(' ')"
MAIN_PICTURES_JS = f"() => {APP_SIGNATURE}"
# Done when a run has finished since the action, or what the visitor sees changed: a short run (a fragment's,
# or a fast whole-app run) can finish without the app's state attribute ever leaving notRunning in the DOM.
IDLE_AFTER_JS = """([n, pictures]) => {
  const app = document.querySelector('[data-testid=stApp]');
  const now = """ + APP_SIGNATURE + """;
  return (window.__runsDone > n || (pictures !== null && now !== pictures))
    && app && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !document.querySelector('[data-testid=stSkeleton], [data-testid=stSpinner]');
}"""


def vm_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def digit_png(seed: int) -> bytes:
    """A hand-drawn-looking '1' or '7' on white, as a teacher's phone photo would be (dark ink, light paper)."""
    rng = random.Random(seed)
    img = Image.new("L", (120, 120), 255)
    d = ImageDraw.Draw(img)
    x = 60 + rng.randint(-10, 10)
    if seed % 2:
        d.line([(x, 15), (x + rng.randint(-8, 8), 105)], fill=0, width=12)
    else:
        d.line([(25, 20), (95, 20)], fill=0, width=12)
        d.line([(95, 20), (x - 10, 105)], fill=0, width=12)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


# --- the interactions ---------------------------------------------------------------------------------------------

Action = Callable[[Page, int], Awaitable[None]]


async def move_slider(page: Page, index: int) -> None:
    slider = page.locator(SLIDER).nth(index)
    now, top = await slider.input_value(), await slider.get_attribute("max")
    await slider.focus()
    # at the top a step right would change nothing and start no run
    await page.keyboard.press("ArrowLeft" if now is not None and top is not None and float(now) >= float(top)
                              else "ArrowRight")


def slider(index: int = 0, name: str = "slider") -> tuple[str, Action]:
    async def act(page: Page, _: int) -> None:
        await move_slider(page, index)

    return name, act


def class_button(c: int) -> tuple[str, Action]:
    async def act(page: Page, _: int) -> None:
        await page.locator(f"[data-testid=stSidebar] .st-key-class_{c} button").first.click()  # help adds a 2nd

    return "class button", act


def upload() -> tuple[str, Action]:
    async def act(page: Page, n: int) -> None:
        await page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
            {"name": f"digit{n}.png", "mimeType": "image/png", "buffer": digit_png(n)})

    return "upload", act


PLAN = [
    "", slider(0), class_button(3), slider(0),  # Reconstruct is the default page, at "/" ("/reconstruct": not found)
    "mean", slider(0), class_button(7),
    "variance", slider(0),
    "sample", class_button(1),
    "interpolate", slider(0),
    "manifold", slider(0, "manifold size"), class_button(5),
    "map", class_button(2),
    "upload", upload(),
]  # 20 interactions: a string is a page load by URL path


@dataclass
class SessionResult:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


async def run_session(browser, url: str, index: int, interactions: int, start_delay_s: float) -> SessionResult:
    result = SessionResult()
    await asyncio.sleep(start_delay_s)
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    await context.add_init_script(COUNT_RUNS_JS)
    page = await context.new_page()
    crashed = []
    page.on("crash", lambda _: crashed.append(True))
    try:
        for step in range(interactions):
            item = PLAN[step % len(PLAN)]
            if crashed:
                result.errors.append(f"session {index} step {step}: page crashed")
                break
            try:
                t0 = time.perf_counter()
                if isinstance(item, str):
                    kind = "page load"
                    await page.goto(f"{url}/{item}")
                    await page.wait_for_function(IDLE_AFTER_JS, arg=[0, None], timeout=STEP_TIMEOUT_MS)
                else:
                    kind, act = item
                    before = await page.evaluate("window.__runsDone")
                    pictures = await page.evaluate(MAIN_PICTURES_JS)
                    t0 = time.perf_counter()
                    await act(page, index * 1000 + step)
                    await page.wait_for_function(IDLE_AFTER_JS, arg=[before, pictures], timeout=STEP_TIMEOUT_MS)
                result.latencies.setdefault(kind, []).append(time.perf_counter() - t0)
                shown = await page.locator(ERRORS_ON_PAGE).all_inner_texts()
                if shown:
                    result.errors.append(f"session {index} step {step} ({kind}): {shown[0][:200]!r}")
            except Exception as e:  # a timeout or a crash: count it and go on with the next step
                result.errors.append(f"session {index} step {step}: {type(e).__name__}: {str(e).splitlines()[0]}")
    finally:
        await context.close()
    return result


async def sample_rss(pid: int, samples: list[float], stop_event: asyncio.Event) -> None:
    while not stop_event.is_set():
        samples.append(vm_rss_mb(pid))
        try:
            await asyncio.wait_for(stop_event.wait(), SAMPLE_S)
        except TimeoutError:
            pass


async def load_test(url: str, pid: int, sessions: int, interactions: int) -> dict:
    async with async_playwright() as p:
        if not Path(CHROMIUM).is_file():
            raise SystemExit(f"Chromium not found at {CHROMIUM}")
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        rss_start = vm_rss_mb(pid)
        # one warm-up session: torch, the models and the caches load once per server, not per classroom
        warm = await run_session(browser, url, -1, len(PLAN), 0)
        await asyncio.sleep(SETTLE_S)
        rss_before = vm_rss_mb(pid)
        samples: list[float] = []
        done = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(pid, samples, done))
        t0 = time.perf_counter()
        # students open the app within a couple of seconds of each other
        results = await asyncio.gather(*(run_session(browser, url, i, interactions, random.uniform(0, 2))
                                         for i in range(sessions)))
        wall = time.perf_counter() - t0
        await browser.close()
        await asyncio.sleep(SETTLE_S)
        done.set()
        await sampler
        rss_after = vm_rss_mb(pid)
    by_kind: dict[str, list[float]] = {}
    for r in results:
        for kind, values in r.latencies.items():
            by_kind.setdefault(kind, []).extend(values)
    return dict(
        sessions=sessions, interactions=interactions, wall_s=wall, by_kind=by_kind,
        all=[v for values in by_kind.values() for v in values], errors=[e for r in results for e in r.errors],
        warmup_errors=warm.errors, rss_start=rss_start, rss_before=rss_before,
        rss_peak=max(samples, default=float("nan")), rss_after=rss_after,
    )


def report(r: dict) -> None:
    p50, p95 = percentiles(r["all"])
    print(f"\n{r['sessions']} sessions x {r['interactions']} interactions, {len(r['all'])} timed, "
          f"wall {r['wall_s']:.0f} s")
    print(f"{'interaction':<16} {'count':>6} {'p50 s':>7} {'p95 s':>7}")
    for kind, values in sorted(r["by_kind"].items()):
        k50, k95 = percentiles(values)
        print(f"{kind:<16} {len(values):>6} {k50:>7.2f} {k95:>7.2f}")
    print(f"{'all':<16} {len(r['all']):>6} {p50:>7.2f} {p95:>7.2f}")
    print(f"errors: {len(r['errors'])}" + "".join(f"\n  {e}" for e in r["errors"][:20]))
    if r["warmup_errors"]:
        print("warm-up errors:" + "".join(f"\n  {e}" for e in r["warmup_errors"]))
    print(f"server RSS MB: at start {r['rss_start']:.0f}, before sessions (after warm-up) {r['rss_before']:.0f}, "
          f"peak {r['rss_peak']:.0f}, after close +{SETTLE_S} s {r['rss_after']:.0f}")
    print("| N | interactions/session | p50 (s) | p95 (s) | errors | RSS before / peak / after (MB) |")
    print(f"| {r['sessions']} | {r['interactions']} | {p50:.2f} | {p95:.2f} | {len(r['errors'])} "
          f"| {r['rss_before']:.0f} / {r['rss_peak']:.0f} / {r['rss_after']:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--interactions", type=int, default=20)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "load_classroom.log"
    print(f"{date.today()}  machine: {cpu_model()}, {os.cpu_count()} cores; server log: {log_path}")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(streamlit_command("app.py", port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while not healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"streamlit did not start; see {log_path}")
                time.sleep(0.2)
            result = asyncio.run(load_test(url, proc.pid, args.sessions, args.interactions))
        finally:
            stop(proc)
    report(result)


if __name__ == "__main__":
    main()
