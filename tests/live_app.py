"""A live `streamlit run` on a free loopback port and Debian's headless Chromium.

Shared by the browser tests (tests/conftest.py) and the browser benchmarks (benchmarks/harness.py),
so both start, wait for and stop the server, and launch the browser, the same way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"  # the attribute the frontend sets (index.*.js)
BUSY = ("[data-testid=stSkeleton]", "[data-testid=stSpinner]")
# A phone (an iPhone 12-14's screen in CSS px) with touch, for a browser context's options.
PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
# The caption under the sidebar's current digit: the live one (views/live/digits.js) once it is drawn, else its
# Streamlit twin (the other is hidden).
DIGIT_CAPTION = "[data-testid=stSidebar] figure.vae-picture figcaption >> visible=true"
# Page scripts for the live elements' tests: count the app's script runs (a live drag must cause none), and
# whether a canvas's picture changed since `before` (its data URL).
COUNT_SCRIPT_RUNS = """() => {
    window.scriptStateChanges = 0;
    new MutationObserver(() => { window.scriptStateChanges += 1; }).observe(
        document.querySelector("[data-testid=stApp]"), {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""
PICTURE_CHANGED = "([canvas, before]) => canvas.toDataURL() !== before"


class ServerDidNotStart(RuntimeError):
    """`streamlit run` exited or was not healthy in time; the message holds its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_command(script: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",  # nothing is edited during a run; spares inotify and CPU
    ]  # fmt: skip


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def streamlit_process(
    script: str, log_name: str, start_timeout_s: float = 120, port: int = 0
) -> Iterator[tuple[subprocess.Popen, str]]:
    """`streamlit run <script>` (relative to the repository root) on `port` (0: a free one); yields the
    process and its URL once healthy, and stops it on exit.

    The server's output goes to artifacts/<log_name>, which CI keeps. Raises ServerDidNotStart with that log.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / log_name
    with open(log_path, "w") as log:
        proc = subprocess.Popen(streamlit_command(script, port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + start_timeout_s
            while not healthy(url):
                if proc.poll() is not None:
                    raise ServerDidNotStart(f"streamlit exited with code {proc.returncode}:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    raise ServerDidNotStart(f"streamlit not healthy after {start_timeout_s} s:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield proc, url
        finally:
            stop(proc)


@contextmanager
def streamlit_server(script: str, log_name: str, start_timeout_s: float = 120) -> Iterator[str]:
    """`streamlit_process`, yielding only the URL."""
    with streamlit_process(script, log_name, start_timeout_s) as (_, url):
        yield url


def chromium_missing() -> str | None:
    """Why Chromium cannot be launched, or None."""
    if not Path(CHROMIUM).is_file():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    return None


def launch_chromium(playwright):
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_idle(page, timeout_ms: int) -> None:
    """Wait until the script run is over and nothing is still loading.

    Streamlit's frontend marks its root with `data-test-script-state` (`running`, `notRunning`, ...)
    and shows skeletons and spinners while elements are pending.
    """
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    for busy in BUSY:
        page.wait_for_selector(busy, state="detached", timeout=timeout_ms)
