"""Where a rerun's server time goes, per view: app.py in AppTest (in process, no browser, no websocket).

For each view, the view's main control is moved back and forth (a slider, or on the latent map the sidebar's
class buttons 0 and 1) and the script run that follows is timed, `--runs` times after `--warmup` runs, on one
torch thread as the app runs. AppTest reruns the whole app where the browser reruns only the page's fragment
(the sidebar's share is its own column), so these are a whole-app rerun's costs. Printed per view: the median
wall time of a run and its CPU time (the process's; other jobs on the machine disturb it less than wall time),
then the time per run (cProfile, cumulative, in as many profiled runs apart from the timed ones) in: the page's
render; of which the live elements (views.live), the pictures (views.pictures: PNG, data URI and st.html), the
Streamlit element calls (every st.* call, the pictures' st.html included) and torch's modules; and the sidebar
and lesson panel. `benchmarks/floor_app.py` is timed the same way, for reference.

    .venv/bin/python benchmarks/bench_reruns.py [--runs 30] [--views reconstruct,mean] [--model mnist-z20]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere (make bench)
sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py

import torch  # noqa: E402
from harness import machine_line  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.apptest import open_page, profiled  # noqa: E402

# view -> (widget kind, key, the two values moved between)
VIEWS: dict[str, tuple[str, str, tuple]] = {
    "reconstruct": ("slider", "recon_samples", (5, 4)),
    "mean": ("slider", "mean_shift_z0", (0.1, 0.0)),
    "variance": ("slider", "variance_scale", (1.1, 1.0)),
    "sample": ("slider", "sample_temperature", (1.1, 1.0)),
    "interpolate": ("slider", "interp_steps", (11, 10)),
    "manifold": ("slider", "manifold_n", (29, 30)),
    "map": ("button", "class_{}", (0, 1)),
}
# column -> (file suffix, function name): cumulative time of these functions (the outermost call of each)
PARTS = {
    "render": [("views/pages/{view}.py", "render")],
    "live": [("views/live/__init__.py", name) for name in ("mount_model", "live_sliders", "live_picture",
                                                            "latent_pad", "draw_watch")],
    "pictures": [("views/pictures.py", "show_picture")],
    "st calls": [("streamlit/runtime/metrics_util.py", "wrapped_func")],
    "torch": [("torch/nn/modules/module.py", "_wrapped_call_impl")],
    "sidebar": [("views/sidebar.py", name) for name in ("presenter_toggle", "model_picker", "seed_control",
                                                         "digit_panel")] + [("views/lesson_player.py", "panel")],
}


def step(at: AppTest, view: str, i: int) -> None:
    """Move the view's control to its i-th value (alternating) and rerun."""
    kind, key, values = VIEWS[view]
    value = values[i % 2]
    if kind == "button":
        at.button(key=key.format(value)).click().run()
    else:
        at.slider(key=key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]


def measure(name: str, make: Callable[[], AppTest], act: Callable[[AppTest, int], None], runs: int,
            warmup: int) -> dict[str, float]:
    """Median ms per run, and ms per run in each of PARTS (from `runs` more runs under cProfile)."""
    at = make()
    for i in range(warmup):
        act(at, i)
    times, cpu = [], []
    for i in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        act(at, i)
        times.append(1000 * (time.perf_counter() - start))
        cpu.append(1000 * (time.process_time() - cpu_start))
    profile = cProfile.Profile()
    with profiled(profile):
        for i in range(runs):
            act(at, i)
    stats = pstats.Stats(profile).stats
    row = {"run": statistics.median(times), "cpu": statistics.median(cpu)}
    for column, functions in PARTS.items():
        wanted = {(f.format(view=name), fn) for f, fn in functions}
        row[column] = sum(1000 * ct / runs for (file, _, fn), (_, _, _, ct, _) in stats.items()
                          if any(file.endswith(f) and fn == w for f, w in wanted))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per view, and as many profiled (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    parser.add_argument("--views", default=",".join(VIEWS), help=f"comma-separated, from {','.join(VIEWS)}")
    parser.add_argument("--model", default="mnist-z20", help="the sidebar's model (default mnist-z20)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as app.py does
    print(machine_line())
    print(f"AppTest whole-app reruns, {args.runs} timed and {args.runs} profiled per view, model {args.model}; ms")
    rows = {"floor": measure("floor", lambda: AppTest.from_file(str(ROOT / "benchmarks" / "floor_app.py")).run(),
                             lambda at, i: at.slider(key="floor_value").set_value(50 + i % 2).run(),
                             args.runs, args.warmup)}
    for view in args.views.split(","):
        rows[view] = measure(view, lambda v=view: open_page(v, args.model), lambda at, i, v=view: step(at, v, i),
                             args.runs, args.warmup)
    print(f"  {'view':<12} {'run p50':>8} {'CPU p50':>8} " + " ".join(f"{c:>9}" for c in PARTS))
    for view, row in rows.items():
        print(f"  {view:<12} {row['run']:8.1f} {row['cpu']:8.1f} " + " ".join(f"{row[c]:9.1f}" for c in PARTS))
    print("(the columns after 'CPU p50' are cProfile's, so inflated by its overhead: compare them with each other)")
    print(machine_line())


if __name__ == "__main__":
    main()
