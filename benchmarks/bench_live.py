"""Live elements' frame rate: drag each live slider (and draw on the Upload page's canvas) in headless Chromium
and count the pictures decoded and drawn in the browser.

Starts `streamlit run app.py`, opens each view on the chosen model, presses the mouse on its live slider and
sweeps it back and forth with page.mouse for a few seconds, one value step per move (a move within one step
changes nothing, so redraws nothing); on the Upload page it draws one long stroke. Reads the elements' own frame
log (performance.now() of every requestAnimationFrame that decoded and drew). Then the same per view from inside
the page, one value change per animation frame, with no automation round trip per move: what the page can do.
Targets (issue 16): single pictures >= 50 fps, the variance grid >= 50 fps at 16 samples and >= 30 fps at 64,
the encoder + ellipse + reconstruction while drawing >= 30 fps. Prints the load average with the figures: the
machine is shared.

With --releases N, each view is first used N times, as a page is after a while: its live Resample or New draws
button pressed where it has one (new draws: the grid is mounted again with new data), else its slider released by
an arrow key; each a rerun, waited for. Every figure must hold then too.

    .venv/bin/python benchmarks/bench_live.py [--seconds 4] [--model mnist-z20] [--releases 0]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py

from harness import TIMEOUT_MS, VIEWPORT, launch_chromium, machine_line, streamlit_server, wait_idle  # noqa: E402

from vae_core.digits import load_test_digits  # noqa: E402
from vae_core.export import browser_message  # noqa: E402
from vae_core.registry import PRETRAINED_DIR, load  # noqa: E402

LIVE = Path(__file__).resolve().parent.parent / "views" / "live"
SHIPPED = ["mnist-z2", "mnist-z5", "mnist-z10", "mnist-z20"]
# Under node: the browser's model on the page's own weights message; decode 64 codes with the WebAssembly
# kernel and with the plain loop (the fallback), timed; encode the given digits.
NODE_PARITY = """
const fs = require("fs");
const decoder = parseModel(new Uint8Array(fs.readFileSync(process.argv[2])));
const encoder = parseModel(new Uint8Array(fs.readFileSync(process.argv[3])));
const input = JSON.parse(fs.readFileSync(process.argv[4], "utf8"));
const codes = Float32Array.from(input.codes.flat());
const decoded = Array.from(decodeCodes(decoder, codes, 64));
const encoded = input.images.map((x) => { const q = encodeImage(encoder, Float32Array.from(x));
  return [Array.from(q.mu), Array.from(q.logvar)]; });
const time = (fn, reps) => { fn(); const t = performance.now(); for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t) / reps; };
console.log(JSON.stringify({ decoded, encoded, kernel_ms: time(() => decodeCodes(decoder, codes, 64), 20),
  plain_ms: time(() => runMlp(decoder.layers, decoder.act, codes, 64, "plain"), 5) }));
"""

# (name, path and query, live group, target fps)
VIEWS = [
    ("Mean: one picture", "mean", "mean", 50),
    ("Interpolate: the frame", "interpolate?interp_steps=24", "interp", 50),
    ("Interpolate: steps (both strips, up to 24)", "interpolate", "interp_steps", 50),
    ("Sample: 16 draws", "sample?sample_count=16", "sample", 50),
    ("Sample: 64 draws", "sample?sample_count=64", "sample", 30),
    ("Variance: 16 samples", "variance?variance_count=16", "variance", 50),
    ("Variance: 64 samples", "variance?variance_count=64", "variance", 30),
]
DRAW_TARGET = 30
STEPS_PER_CALL = 3  # moves per page.mouse.move call: fewer round trips through the automation protocol

# One value change per animation frame from inside the page: the slider's own `input` event, as a drag sends.
IN_PAGE_SWEEP = """async ([input, group, seconds]) => {
    const [lo, hi, step] = [Number(input.min), Number(input.max), Number(input.step)];
    const n = Math.round((hi - lo) / step);
    window.vaeLive.resetStats(group);
    let k = 0;
    const start = performance.now();
    await new Promise((done) => {
        const tick = () => {
            if (performance.now() - start > seconds * 1000) return done();
            k += 1;
            const i = k % (2 * n);  // back and forth over every value
            input.value = lo + step * (i <= n ? i : 2 * n - i);
            input.dispatchEvent(new Event("input", {bubbles: true}));
            requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    });
    return {...window.vaeLive.stats(group), moves_per_s: k / seconds};
}"""


def open_view(page, url: str, path: str, model: str) -> None:
    sep = "&" if "?" in path else "?"
    page.goto(f"{url}/{path}{sep}model={model}")
    wait_idle(page)
    page.wait_for_selector(".vae-live.ready", timeout=TIMEOUT_MS)


def release(page, group: str, times: int) -> None:
    """`times` presses of the group's live stepper (Resample, New draws) where it has one, else arrow key presses on
    its first live slider, right and left in turn; each a release and a rerun, waited for."""
    stepper = page.locator(f".vae-stepper.ready[data-group={group}] button")
    slider = page.locator(f".vae-sliders.ready[data-group={group}] input[type=range]").first
    for i in range(times):
        if stepper.count():
            stepper.first.click()
        else:
            slider.focus()
            page.keyboard.press(("ArrowRight", "ArrowLeft")[i % 2])
        wait_idle(page)
    if times:
        page.wait_for_timeout(500)  # the last rerun's elements mounted
        wait_idle(page)


def sweep(page, group: str, seconds: float) -> dict:
    """Press on the group's first live slider and sweep it end to end and back, one value step per mouse move."""
    slider = page.locator(f".vae-sliders.ready[data-group={group}] input[type=range]").first
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    lo, hi, step = (float(slider.get_attribute(a)) for a in ("min", "max", "step"))
    n = round((hi - lo) / step)
    y, left, width = box["y"] + box["height"] / 2, box["x"] + 12, box["width"] - 24  # the thumb's travel
    page.mouse.move(left + width / 2, y)
    page.mouse.down()
    page.evaluate(f"window.vaeLive.resetStats('{group}')")
    moves, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        moves += STEPS_PER_CALL  # Playwright makes the in-between moves itself: one value step each
        i = moves % (2 * n)
        page.mouse.move(left + width * (i if i <= n else 2 * n - i) / n, y, steps=STEPS_PER_CALL)
    elapsed = time.perf_counter() - start
    stats = page.evaluate(f"window.vaeLive.stats('{group}')")
    page.mouse.up()  # a release: Python reruns with the value
    wait_idle(page)
    return {**stats, "moves_per_s": moves / elapsed}


def draw(page, seconds: float) -> dict:
    """One long stroke on the Upload page's canvas: a spiral, in small steps, as a hand would draw."""
    canvas = page.locator(".vae-draw.ready .vae-draw-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    cx, cy, r = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, box["width"] * 0.4
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.evaluate("window.vaeLive.resetStats('draw')")
    moves, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        moves += 1
        a = moves * 0.08
        page.mouse.move(cx + r * math.sin(a) * (0.3 + 0.7 * abs(math.cos(a / 9))), cy + r * math.cos(1.3 * a),
                        steps=STEPS_PER_CALL)
        moves += STEPS_PER_CALL - 1
    elapsed = time.perf_counter() - start
    stats = page.evaluate("window.vaeLive.stats('draw')")
    page.mouse.up()
    wait_idle(page)
    return {**stats, "moves_per_s": moves / elapsed}


def summary(name: str, stats: dict, target: float) -> float:
    """Print one run's figures; returns its frames per second."""
    t = np.array(stats["t"])
    if len(t) < 2:
        print(f"  {name}: fewer than two frames drawn")
        return 0.0
    frame_ms, work_ms = np.diff(t), np.array(stats["ms"])
    fps = (len(t) - 1) * 1000 / (t[-1] - t[0])
    print(f"  {name}: {fps:.1f} fps ({'met' if fps >= target else 'NOT met'}: >= {target}), {len(t)} frames, "
          f"{stats['moves_per_s']:.0f} moves/s; frame time p50 {np.percentile(frame_ms, 50):.1f} ms, "
          f"p95 {np.percentile(frame_ms, 95):.1f} ms; decode+draw p50 {np.percentile(work_ms, 50):.2f} ms, "
          f"p95 {np.percentile(work_ms, 95):.2f} ms")
    return fps


def parity() -> None:
    """Per shipped model: max |browser - torch| of the decoder (64 codes) and the encoder (20 test digits), and
    the time to decode 64 codes (a 64-cell grid) with the kernel and with the plain loop, under node."""
    node = shutil.which("node")
    if node is None:
        print("parity: not measured (node is not installed)")
        return
    torch.set_num_threads(1)
    digits = load_test_digits()
    images = np.stack([digits.grey(i) for i in range(0, 10_000, 500)]).astype(np.float32)
    source = "\n".join((LIVE / f).read_text() for f in ("model.js", "kernel.js")) + NODE_PARITY
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "run.cjs").write_text(source)
        for name in SHIPPED:
            lm = load(PRETRAINED_DIR / name)
            for part in ("decoder", "encoder"):
                (Path(tmp) / f"{part}.bin").write_bytes(browser_message(lm.model, part)[1])
            codes = (2 * np.random.default_rng(0).standard_normal((64, lm.latent_dim))).astype(np.float32)
            (Path(tmp) / "in.json").write_text(json.dumps({"codes": codes.tolist(), "images": images.tolist()}))
            args = [f"{tmp}/{name}" for name in ("run.cjs", "decoder.bin", "encoder.bin", "in.json")]
            done = subprocess.run([node, *args], capture_output=True, text=True, check=True)
            out = json.loads(done.stdout)
            with torch.inference_mode():
                probs = lm.model.decode(torch.from_numpy(codes)).numpy().reshape(-1)
                q = lm.model.encode(torch.from_numpy(images))
            mu, logvar = (np.array([e[k] for e in out["encoded"]]) for k in (0, 1))
            print(f"  {name}: decoder {np.abs(np.array(out['decoded']) - probs).max():.1e}, "
                  f"encoder mu {np.abs(mu - q.mu.numpy()).max():.1e}, log sigma^2 "
                  f"{np.abs(logvar - q.logvar.numpy()).max():.1e} (target <= 1e-4); 64 codes decoded in "
                  f"{out['kernel_ms']:.1f} ms (WebAssembly SIMD) against {out['plain_ms']:.1f} ms (plain JavaScript)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--model", default="mnist-z20")
    parser.add_argument("--releases", type=int, default=0, help="slider releases (reruns) before each view's runs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(machine_line())
    print("parity with torch and decode time, under node:")
    parity()
    with streamlit_server("app.py", "bench_live_streamlit.log") as url, sync_playwright() as p:
        browser = launch_chromium(p)
        print(f"browser: Chromium {browser.version}, headless; model {args.model}; {args.seconds:g} s per run")
        page = browser.new_page(viewport=VIEWPORT)
        for name, path, group, target in VIEWS:
            open_view(page, url, path, args.model)
            release(page, group, args.releases)
            print(f"{name} (/{path}){f', after {args.releases} releases' if args.releases else ''}, "
                  f"load average {os.getloadavg()[0]:.1f}")
            summary("page.mouse drag", sweep(page, group, args.seconds), target)
            slider = page.locator(f".vae-sliders.ready[data-group={group}] input[type=range]").first
            summary("in-page, one value per frame", page.evaluate(IN_PAGE_SWEEP, [slider.element_handle(), group,
                                                                                 args.seconds]), target)
        open_view(page, url, "upload", args.model)
        print(f"Upload: drawing (preprocess + encoder + map with ellipse + reconstruction), "
              f"load average {os.getloadavg()[0]:.1f}")
        summary("page.mouse stroke", draw(page, args.seconds), DRAW_TARGET)
        browser.close()
    print(machine_line().replace("machine:", "machine at the end:"))


if __name__ == "__main__":
    main()
