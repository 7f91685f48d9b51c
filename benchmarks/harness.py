"""What the browser benchmarks share: a `streamlit run` on a free port, headless Chromium, percentiles.

Not a benchmark itself (`make bench` runs benchmarks/bench_*.py only).
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, when run as a script
from tests import live_app  # noqa: E402
from tests.live_app import (  # noqa: E402,F401  (re-exported for the benchmark scripts)
    ARTIFACTS,
    ROOT,
    ServerDidNotStart,
    free_port,
    healthy,
    stop,
    streamlit_command,
    streamlit_process,
    streamlit_server,
)

VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 300_000  # generous: a loaded machine can take a minute for the first script run


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


def percentiles(values: list[float]) -> tuple[float, float]:
    """(p50, p95); NaN for no values."""
    if not values:
        return float("nan"), float("nan")
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def launch_chromium(playwright):
    """Debian's headless Chromium (sync or async Playwright); exits with the reason when it is missing."""
    if reason := live_app.chromium_missing():
        raise SystemExit(reason)
    return live_app.launch_chromium(playwright)


def wait_idle(page, timeout_ms: int = TIMEOUT_MS) -> None:
    """The script run is over and nothing is still loading."""
    live_app.wait_idle(page, timeout_ms)
