"""Server-side cost of one update of each view: the computation a slider move triggers, no browser.

Each case does what the view's fragment does on a rerun by calling the page's own pure functions (views/pages/:
each page's `compute` and the parts it is made of, `variance_grid`, `map_view`) at the app's default digit
and seed, with each picture picker's data serialised as the component sends it (JSON).
Streamlit encodes a numpy picture handed to st.image with Pillow's PNG encoder; render.to_png stands in for that.
Widget and websocket overhead are not included: bench_browser.py measures the whole round trip. The upload case
preprocesses a 4000 x 3000 JPEG made in memory (a pen stroke on uneven, noisy paper) with vae_core.preprocess, as
the Upload view does once per file.

Every case runs `--runs` times after `--warmup` runs, under torch.inference_mode with one torch thread
(as the app runs), for each model. Printed per case: wall-clock p50 and p95, the CPU time of this thread
(p50; less sensitive than wall time to other jobs on the machine), and PASS/FAIL of the wall-clock p95
against the target. Targets: one decoded digit <= 2 ms, the 30 x 30 manifold (codes, decoding, tiling,
PNG) <= 30 ms, any whole view update <= 50 ms.

    .venv/bin/python benchmarks/bench_views.py [--runs 200] [--warmup 20] [--models mnist-z2,mnist-z20]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere (make bench)

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py

from harness import machine_line  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from vae_core.analysis import active_dims, describe_digit  # noqa: E402
from vae_core.checkpoint import CheckpointError  # noqa: E402
from vae_core.latent import grid_axis  # noqa: E402
from vae_core.preprocess import load_image, to_mnist_style  # noqa: E402
from vae_core.registry import LoadedModel, load, pretrained_dir  # noqa: E402
from vae_core.render import decode_probs, to_gif, to_png, to_uint8  # noqa: E402

if TYPE_CHECKING:  # the views import streamlit, slow to import: view_cases imports them when it runs
    from views.live import PickSource

DIGIT_MS, MANIFOLD_MS, VIEW_MS = 2.0, 30.0, 50.0
PHOTO_SIZE = (4000, 3000)


@dataclass
class Case:
    name: str
    run: Callable[[], object]
    target_ms: float | None  # None: shown for information, no target


@dataclass
class Timing:
    p50: float
    p95: float
    cpu_p50: float


def measure(run: Callable[[], object], runs: int, warmup: int) -> Timing:
    """Wall-clock and thread-CPU milliseconds of `run()`, after `warmup` untimed calls."""
    for _ in range(warmup):
        run()
    wall, cpu = np.empty(runs), np.empty(runs)
    for i in range(runs):
        c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
        run()
        wall[i], cpu[i] = time.perf_counter_ns() - t0, time.thread_time_ns() - c0
    wall, cpu = wall / 1e6, cpu / 1e6
    return Timing(float(np.percentile(wall, 50)), float(np.percentile(wall, 95)), float(np.percentile(cpu, 50)))


def load_model(name: str, tries: int = 5) -> LoadedModel:
    """The shipped model; retried because a running training job rewrites its files now and then."""
    for attempt in range(tries):
        try:
            return load(pretrained_dir() / name)
        except CheckpointError:
            if attempt == tries - 1:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def photo_jpeg(size: tuple[int, int] = PHOTO_SIZE, seed: int = 0) -> bytes:
    """A phone-photo-like JPEG: a dark pen stroke (a '7') on slightly uneven, noisy light paper."""
    w, h = size
    rng = np.random.default_rng(seed)
    shade = np.linspace(215, 190, w, dtype=np.float32)[None, :] + np.linspace(0, 20, h, dtype=np.float32)[:, None]
    paper = Image.fromarray(np.clip(shade, 0, 255).astype(np.uint8))
    pen = ImageDraw.Draw(paper)
    stroke = h // 25
    pen.line([(w * 0.35, h * 0.25), (w * 0.65, h * 0.27), (w * 0.45, h * 0.78)], fill=40, width=stroke, joint="curve")
    paper = paper.filter(ImageFilter.GaussianBlur(3))
    noisy = np.asarray(paper, dtype=np.float32) + rng.normal(0, 4, (h, w)).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).convert("RGB").save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def picker_json(source: PickSource, view: dict) -> tuple[bytes, str]:
    """A picture picker's two mounts as the component sends them (views.live.picture_picker): the source's bytes
    (made once where the page caches it) and the view's JSON (every run)."""
    return source.message, json.dumps(view)


def view_cases(lm: LoadedModel) -> list[Case]:
    """One update of each view through the pages' own pure functions, as their fragments call them, at the app's
    default digit and seed, each picture then encoded as st.image encodes it."""
    # Imported here: the views import streamlit, which is slow to import and not needed for the photo case.
    from views.common import DEFAULT_SEED, stream_seed
    from views.live import pick_source
    from views.pages import interpolate, manifold, mean, reconstruct, sample, variance
    from views.pages import map as latent_map
    from views.pictures import table_html

    model, d = lm.model, lm.latent_dim
    x = decode_probs(model, lm.latents["class_centroids"][4])[0]  # the app's default digit

    def report():
        return describe_digit(model, x, n_samples=0, seed=DEFAULT_SEED)  # common.current_report

    r = report()
    variance_seed = stream_seed("variance", 0, base=DEFAULT_SEED)  # the first draw at the default seed
    offsets = torch.zeros(d)
    offsets[0] = 1.5
    unit = mean.offset_unit(r, posterior_unit=False)
    dims = active_dims(r.kl_per_dim)[0].tolist()

    def traversal_html(cells):  # the table as the page sends it: a PNG per cell in an HTML table
        return table_html(cells, [f"z{i}" for i in range(len(cells))], [f"{o:+g}" for o in mean.OFFSETS.tolist()],
                          "offset", "decoded with {row} moved {column}", "traversal table", mean.TABLE_CELL_PX)

    def mean_view():
        rr = report()
        shown = mean.compute(model, rr, offsets, posterior_unit=False)
        return to_png(shown.perturbed), to_png(rr.reconstruction), traversal_html(shown.table)

    def variance_view():
        rr = report()
        grid = variance.variance_grid(model, rr, 1.0, 64, variance_seed)
        return to_png(grid), to_png(rr.reconstruction)

    def sample_view():
        _, grid = sample.compute(model, 64, 1.0, stream_seed("sample", 0, base=DEFAULT_SEED))
        return to_png(grid)

    def reconstruct_view():
        shown = reconstruct.compute(model, x, 8, DEFAULT_SEED)
        rr = shown.report
        return to_png(to_uint8(rr.x)[0]), to_png(rr.reconstruction), to_png(shown.samples), shown.kl_rows

    def manifold_core(n=30):
        _, grid = manifold.decoded_grid(model, r.mu, grid_axis(n), (0, 1))
        return manifold.picture_source(grid)

    def manifold_view(n=30):
        mu, axis = report().mu, grid_axis(n)
        source = pick_source(manifold.compute(model, mu, axis, (0, 1)).picture)
        return picker_json(source, manifold.manifold_view(axis, (0, 1), mu))

    def interpolate_view(steps=16):
        centroids = lm.latents["class_centroids"]
        shown = interpolate.compute(model, centroids[4], centroids[9], steps, "linear")
        to_png(shown.latent_grid), to_png(shown.crossfade_grid), to_png(shown.strip.frames[0])
        scale = interpolate.DOWNLOAD_SCALE
        return to_png(shown.latent_grid, scale), to_gif(shown.strip.frames, scale)

    def map_view():
        rr = report()
        return picker_json(latent_map.map_source(lm),  # cached: made once per model
                           latent_map.map_view(lm, rr.mu, rr.std, None, list(range(10))))

    return [
        Case("one digit: decode + PNG", lambda: to_png(mean.perturbed_digit(model, r.mu, unit, offsets)), DIGIT_MS),
        Case("describe_digit (every view's rerun)", report, None),
        Case(f"traversal table {d}x{len(mean.OFFSETS)}: decode+PNGs+HTML",
             lambda: traversal_html(mean.traversal_table(model, r.mu, unit, dims)), None),
        Case("mean view: all of one update", mean_view, VIEW_MS),
        Case("variance grid 64: decode+grid+PNG",
             lambda: to_png(variance.variance_grid(model, r, 1.0, 64, variance_seed)), None),
        Case("variance view: all of one update", variance_view, VIEW_MS),
        Case("sample view 64: all of one update", sample_view, VIEW_MS),
        Case("reconstruct view (8 samples)", reconstruct_view, VIEW_MS),
        Case("manifold 30x30: decode+grid+PNG", manifold_core, MANIFOLD_MS),
        Case("manifold view 30x30: + picker JSON", manifold_view, VIEW_MS),
        Case("interpolate view 16 steps + GIF", interpolate_view, VIEW_MS),
        Case("latent map view: picker JSON", map_view, VIEW_MS),
    ]


def row(name: str, t: Timing, target: float | None) -> tuple[str, bool | None]:
    verdict = None if target is None else t.p95 <= target
    mark = "" if verdict is None else ("PASS" if verdict else "FAIL")
    tgt = "" if target is None else f"<= {target:g}"
    return f"  {name:<42} {t.p50:8.2f} {t.p95:8.2f} {t.cpu_p50:8.2f}  {tgt:>7}  {mark}", verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed runs per case (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs first (default 20)")
    parser.add_argument("--models", default="mnist-z2,mnist-z20", help="comma-separated shipped model names")
    parser.add_argument("--photo-runs", type=int, default=None,
                        help="runs of the 12 MP photo case (default: --runs / 4)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as app.py does

    print(machine_line())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread; {args.runs} runs per case after "
          f"{args.warmup} warm-up runs; milliseconds; PASS/FAIL judges the wall-clock p95")
    header = f"  {'case':<42} {'p50':>8} {'p95':>8} {'cpu p50':>8}  {'target':>7}"
    failures = []
    with torch.inference_mode():
        for name in [m for m in args.models.split(",") if m]:
            lm = load_model(name)
            print(f"\n{name} (latent dim {lm.latent_dim})")
            print(header)
            for case in view_cases(lm):
                line, ok = row(case.name, measure(case.run, args.runs, args.warmup), case.target_ms)
                print(line, flush=True)
                if ok is False:
                    failures.append(f"{name}: {case.name}")

        data = photo_jpeg()
        photo_runs = args.photo_runs if args.photo_runs is not None else max(5, args.runs // 4)
        print(f"\nupload preprocessing: {PHOTO_SIZE[0]} x {PHOTO_SIZE[1]} JPEG, {len(data) / 2**20:.2f} MB "
              f"({photo_runs} runs)")
        print(header)
        line, ok = row("load_image + to_mnist_style", measure(lambda: to_mnist_style(load_image(data)), photo_runs,
                                                              max(1, args.warmup // 10)), VIEW_MS)
        print(line)
        if ok is False:
            failures.append("upload preprocessing")

    print(f"\n{'all targets met' if not failures else 'targets missed: ' + '; '.join(failures)} "
          f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
