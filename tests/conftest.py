"""Shared fixtures: the repository root, MNIST, a live `streamlit run app.py` and a headless Chromium page."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vae_core.data import find_data_dir

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
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
SERVER_START_SECONDS = 120
APP_TIMEOUT_MS = 120_000  # generous: a first run on a busy machine loads torch and a model


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def skip_or_fail(reason: str) -> None:
    """Locally a missing prerequisite skips the test; in CI it must not pass silently."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing prerequisite is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The MNIST folder: VAE_DATA_DIR, then ../shared/mnist beside the repository."""
    candidates = [Path(os.environ["VAE_DATA_DIR"])] if os.environ.get("VAE_DATA_DIR") else []
    candidates.append(ROOT.parent / "shared" / "mnist")
    for folder in candidates:
        if find_data_dir(folder) is not None:
            return folder
    skip_or_fail(f"MNIST not found in {' or '.join(map(str, candidates))}; set VAE_DATA_DIR")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """`streamlit run app.py` on a free localhost port, for the whole session; yields its base URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "streamlit.log"  # kept by CI: the server's side of a failing browser test
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",  # nothing is edited during a test run; spares inotify and CPU
    ]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while not _healthy(url):
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited with code {proc.returncode}:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit not healthy after {SERVER_START_SECONDS} s:\n{log_path.read_text()}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    if not Path(CHROMIUM).is_file():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh browser context per test; a full-page screenshot is saved when the test ends, pass or fail."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(APP_TIMEOUT_MS)
    pg = context.new_page()
    yield pg
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    try:
        pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


def wait_for_app(page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until the script run is over and nothing is still loading.

    Streamlit's frontend marks its root with `data-test-script-state` (`running`, `notRunning`, ...)
    and shows skeletons and spinners while elements are pending.
    """
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout_ms)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_ms)
    for busy in ("[data-testid=stSkeleton]", "[data-testid=stSpinner]"):
        page.wait_for_selector(busy, state="detached", timeout=timeout_ms)


@pytest.fixture
def app_idle() -> Callable[..., None]:
    """`wait_for_app` as a fixture, so test modules need not import conftest."""
    return wait_for_app
