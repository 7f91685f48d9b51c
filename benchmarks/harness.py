"""What the browser benchmarks share: a `streamlit run` on a free port, headless Chromium, percentiles.

Not a benchmark itself (`make bench` runs benchmarks/bench_*.py only).
"""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 300_000  # generous: a loaded machine can take a minute for the first script run
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"  # the attribute the frontend sets (index.*.js)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_line() -> str:
    load1, load5, _ = os.getloadavg()
    return f"machine: {cpu_model()}, {os.cpu_count()} cores, load average {load1:.1f} (1 min) {load5:.1f} (5 min)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_command(script: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
    ]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextmanager
def streamlit_server(script: str, log_name: str, start_timeout_s: float = 120) -> Iterator[str]:
    """`streamlit run <script>` (relative to the repository root) on a free port; yields its URL once healthy."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / log_name
    with open(log_path, "w") as log:
        proc = subprocess.Popen(streamlit_command(script, port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + start_timeout_s
            while not healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"streamlit run {script} did not start; see {log_path}")
                time.sleep(0.2)
            yield url
        finally:
            stop(proc)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def launch_chromium(playwright):
    """Debian's Chromium (Playwright's own browser download is not used)."""
    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_idle(page, timeout_ms: int = TIMEOUT_MS) -> None:
    """The script run is over and nothing is still loading."""
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    for busy in ("[data-testid=stSkeleton]", "[data-testid=stSpinner]"):
        page.wait_for_selector(busy, state="detached", timeout=timeout_ms)


def percentiles(values: list[float]) -> tuple[float, float]:
    """(p50, p95); NaN for no values."""
    if not values:
        return float("nan"), float("nan")
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))
