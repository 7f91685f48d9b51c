"""Latent pad frame rate: drag across the pad in headless Chromium and count the frames decoded and drawn.

Starts `streamlit run app.py`, opens /pad with the chosen model, presses the mouse on the pad and moves it in
small steps for a few seconds (page.mouse.move), then reads the component's own frame log (performance.now()
of every requestAnimationFrame that decoded and drew a picture). Prints the frame rate, p50/p95 frame time,
decode+draw time, the weights' transport cost, and the largest pixel difference between the browser's decoder
and torch's. Target: >= 30 frames per second while dragging.

    .venv/bin/python benchmarks/bench_pad.py [--seconds 5] [--model mnist-z2]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py

from harness import machine_line, streamlit_server, wait_idle  # noqa: E402

from tests.live_app import DIGIT_CAPTION  # noqa: E402
from vae_core.checkpoint import CheckpointError  # noqa: E402
from vae_core.export import browser_message  # noqa: E402
from vae_core.registry import PRETRAINED_DIR, load  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TARGET_FPS = 30
PARITY_CODES = [[0.0, 0.0], [1.5, -2.0], [-3.0, 3.0], [0.3, 0.7], [2.5, 2.5]]
TIMEOUT_MS = 180_000  # the first run of a cold app on a busy 2-core machine can take minutes
STEPS_PER_CALL = 5  # Playwright interpolates these itself: fewer round trips to Python per pointer move


def open_pad(page, url: str, model: str) -> None:
    page.goto(f"{url}/pad?model={model}")  # the sidebar's model picker is bound to ?model=
    page.wait_for_function("() => window.vaePad !== undefined", timeout=TIMEOUT_MS)
    wait_idle(page)
    picked = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model").input_value()
    if picked != model:
        raise SystemExit(f"the app opened on {picked!r}, not {model!r}: is {model} usable?")


def parity_error(page, model: str) -> str:
    """Largest |browser - torch| pixel probability, on the weights the page really uses."""
    try:
        lm = load(PRETRAINED_DIR / model)
    except CheckpointError as e:
        return f"not measured ({e})"
    if browser_message(lm.model)[0] != page.evaluate("window.vaePad.model"):
        return "not measured (the checkpoint changed on disk since the page loaded it; training is running)"
    codes = [(c * math.ceil(lm.latent_dim / 2))[: lm.latent_dim] for c in PARITY_CODES]
    browser = np.array(page.evaluate("codes => codes.map(z => window.vaePad.decode(z))", codes))
    with torch.inference_mode():
        reference = lm.model.decode(torch.tensor(codes)).numpy()
    return f"{np.abs(browser - reference).max():.2e}"


def drag(page, seconds: float) -> dict:
    """Press on the pad and trace a Lissajous curve over it with page.mouse, in small steps, as a user would."""
    box = page.locator("canvas.pad").bounding_box()
    cx, cy, r = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, box["width"] * 0.4
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.evaluate("window.vaePad.resetStats()")
    moves, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        moves += STEPS_PER_CALL
        a = moves * 0.004  # about 1.5 px per step
        page.mouse.move(cx + r * math.sin(3 * a), cy + r * math.sin(2 * a), steps=STEPS_PER_CALL)
    elapsed = time.perf_counter() - start
    stats = page.evaluate("window.vaePad.stats()")
    stats["readout"] = page.locator(".fps").text_content()
    page.mouse.up()  # the code becomes the current digit: wait for that rerun, which remounts the pad
    # the sidebar's caption (its no-script twin holds the same, hidden)
    page.locator(DIGIT_CAPTION).filter(has_text="latent pad: z").wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    page.wait_for_function("() => window.vaePad !== undefined", timeout=TIMEOUT_MS)
    stats["moves_per_s"] = moves / elapsed
    return stats


# The same curve from inside the page, one pointermove per animation frame: no round trip through the
# automation protocol per move, so this measures the pad alone (hover previews like a drag does).
IN_PAGE_MOVES = """async (pad, seconds) => {
    const box = pad.getBoundingClientRect();
    const [cx, cy, r] = [box.x + box.width / 2, box.y + box.height / 2, box.width * 0.4];
    window.vaePad.resetStats();
    let moves = 0;
    const start = performance.now();
    await new Promise((done) => {
        const step = () => {
            if (performance.now() - start > seconds * 1000) return done();
            const a = ++moves * 0.02;
            pad.dispatchEvent(new PointerEvent("pointermove", {
                clientX: cx + r * Math.sin(3 * a), clientY: cy + r * Math.sin(2 * a), bubbles: true}));
            requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
    });
    return {...window.vaePad.stats(), moves_per_s: moves / seconds,
            readout: pad.getRootNode().querySelector(".fps").textContent};
}"""


def summary(name: str, stats: dict) -> float:
    """Print one run's figures; returns its frames per second."""
    t = np.array(stats["t"])
    if len(t) < 2:
        print(f"{name}: fewer than two frames drawn")
        return 0.0
    frame_ms, decode_ms = np.diff(t), np.array(stats["decodeMs"])
    fps = (len(t) - 1) * 1000 / (t[-1] - t[0])
    print(f"{name}: {stats['moves_per_s']:.0f} pointer moves/s, {len(t)} frames decoded and drawn")
    print(f"  frames per second {fps:.1f} (component readout: {stats['readout']})")
    print(f"  frame time p50 {np.percentile(frame_ms, 50):.1f} ms, p95 {np.percentile(frame_ms, 95):.1f} ms; "
          f"decode+draw p50 {np.percentile(decode_ms, 50):.2f} ms, p95 {np.percentile(decode_ms, 95):.2f} ms")
    return fps


def transport(page, url: str, model: str) -> tuple[int, int, int, bool]:
    """Websocket bytes received: opening the pad (the model's weights included), an app rerun, and a rerun
    of the pad's fragment with a new range; and whether the weights stayed the same meanwhile (not so when a
    training run rewrote the checkpoint, and the new weights had to be sent)."""
    received: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: received.append(len(frame))))
    open_pad(page, url, model)
    weights = page.evaluate("window.vaePad.model")
    sizes = [sum(received)]
    for action in (
        lambda: page.get_by_test_id("stSidebar").get_by_test_id("stNumberInputStepUp").click(),  # seed + 1
        lambda: page.get_by_test_id("stMain").get_by_role("slider").first.press("ArrowRight"),  # range -2.5..3
    ):
        received.clear()
        action()
        time.sleep(1)
        wait_idle(page)
        time.sleep(1)
        sizes.append(sum(received))
    return *sizes, weights == page.evaluate("window.vaePad.model")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--model", default="mnist-z2")
    args = parser.parse_args()
    torch.set_num_threads(1)
    from playwright.sync_api import sync_playwright

    print(machine_line())
    with streamlit_server("app.py", "bench_pad_streamlit.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"browser: Chromium {browser.version}, headless, flags {' '.join(CHROMIUM_ARGS[1:])}")
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        first, app_rerun, fragment_rerun, same_weights = transport(page, url, args.model)
        print(f"websocket bytes: opening the pad {first / 1e6:.2f} MB (decoder weights included), then an app rerun "
              f"{app_rerun / 1e3:.1f} kB and the pad's fragment with a new range {fragment_rerun / 1e3:.1f} kB "
              + ("(same weights: not resent)" if same_weights else "(the checkpoint changed meanwhile: resent)"))
        print(f"decoder: {args.model}, weights {page.evaluate('window.vaePad.model')[:12]}")
        print(f"parity: max |browser - torch| pixel probability = {parity_error(page, args.model)}")
        fps = summary(f"drag with page.mouse.move for {args.seconds:g} s", drag(page, args.seconds))
        summary("same curve from in-page pointer events, one per animation frame",
                page.locator("canvas.pad").evaluate(IN_PAGE_MOVES, args.seconds))
        browser.close()
    print(f"target >= {TARGET_FPS} fps while dragging with page.mouse: {'met' if fps >= TARGET_FPS else 'NOT met'}"
          f" (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")

if __name__ == "__main__":
    main()
