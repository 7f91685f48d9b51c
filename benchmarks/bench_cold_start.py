"""Cold start: from launching `streamlit run app.py` to the first view fully drawn in headless Chromium.

Each repetition starts a new server process and opens the app's root URL (the default view, Reconstruct) in a
fresh browser context (empty cache) as soon as the server answers its health check. "Fully drawn": the script
run is over (`data-test-script-state=notRunning`), nothing is loading, and the view's pictures have loaded and
been painted (two animation frames later). Chromium itself is started once, before the clock runs. Also timed:
a second visit to the same, now warm, server (a new session: the first script run of a new visitor).

Target: median cold start under 5 s.

    .venv/bin/python benchmarks/bench_cold_start.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py, when run from anywhere (make bench)

from harness import (  # noqa: E402
    ARTIFACTS,
    ROOT,
    TIMEOUT_MS,
    VIEWPORT,
    free_port,
    healthy,
    launch_chromium,
    machine_line,
    stop,
    streamlit_command,
    wait_idle,
)

TARGET_S = 5.0
POLL_S = 0.05
# The view's pictures are in the page, decoded, and a frame showing them has been painted.
DRAWN = """async () => {
    const imgs = [...document.querySelectorAll('[data-testid=stMain] figure.vae-picture img')];
    if (!imgs.length) return false;
    await Promise.all(imgs.map((i) => i.decode().catch(() => null)));
    if (!imgs.every((i) => i.complete && i.naturalWidth > 0)) return false;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return true;
}"""


def open_until_drawn(browser, url: str) -> tuple[float, float, float]:
    """Seconds from navigation, in a new context, to: the page's load event, the end of the first script run,
    the first view drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    loaded = time.perf_counter() - start
    wait_idle(page)
    ran = time.perf_counter() - start
    page.wait_for_function(DRAWN, timeout=TIMEOUT_MS, polling=20)
    drawn = time.perf_counter() - start
    context.close()
    return loaded, ran, drawn


@dataclass
class Start:
    healthy: float  # s from launching the server to its health check answering
    loaded: float  # ... to the page's load event
    ran: float  # ... to the end of the first script run
    drawn: float  # ... to the first view drawn
    second: float  # s from navigation to drawn, for a second visitor of the same (warm) server


def one_start(browser, log_path: Path) -> Start:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(streamlit_command("app.py", port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            while not healthy(url):
                if proc.poll() is not None or time.perf_counter() - start > TIMEOUT_MS / 1000:
                    raise SystemExit(f"streamlit did not start; see {log_path}")
                time.sleep(POLL_S)
            to_healthy = time.perf_counter() - start
            loaded, ran, drawn = open_until_drawn(browser, url)
            second = open_until_drawn(browser, url)[2]
        finally:
            stop(proc)
    return Start(to_healthy, to_healthy + loaded, to_healthy + ran, to_healthy + drawn, second)


def describe(s: Start) -> str:
    return (f"server healthy {s.healthy:.2f} s, page loaded {s.loaded:.2f} s, first script run over {s.ran:.2f} s, "
            f"first view drawn {s.drawn:.2f} s; a second visitor's first view {s.second:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="server starts to time (default 3)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(machine_line())
    ARTIFACTS.mkdir(exist_ok=True)
    starts = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        print(f"browser: Chromium {browser.version}, headless, started before the clock; {args.repeats} starts")
        for i in range(args.repeats):
            starts.append(one_start(browser, ARTIFACTS / "bench_cold_start_streamlit.log"))
            print(f"  start {i + 1}: {describe(starts[-1])}", flush=True)
        browser.close()
    median = Start(*(statistics.median(getattr(s, f.name) for s in starts) for f in fields(Start)))
    verdict = "PASS" if median.drawn < TARGET_S else "FAIL"
    print(f"\nmedian of {len(starts)}: {describe(median)}")
    print(f"cold start (launch to first view drawn) {median.drawn:.2f} s, target < {TARGET_S:g} s: {verdict}")
    print(f"(load average now {machine_line().split('load average ')[1]})")


if __name__ == "__main__":
    main()
