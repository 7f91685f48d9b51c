"""The browser's model (views/live/model.js) against torch, under node: the same weights message the page gets
(vae_core.export.browser_message), decoded and encoded for every shipped model. Target: max |difference| <= 1e-4
in pixel probabilities, mu and log sigma^2 (issue 16). Skips where node is not installed, fails under CI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.conftest import skip_or_fail
from vae_core.digits import load_test_digits
from vae_core.export import browser_message
from vae_core.latent import ellipse, grid_axis, interpolate, pixel_crossfade, project, projected_cov
from vae_core.plot_geometry import cell_representatives
from vae_core.registry import PRETRAINED_DIR, load
from vae_core.render import CLASS_COLOURS, class_scatter
from views.pages.map import (
    DOT_PX,
    TARGET_CELLS,
    manifold_range,
    map_points,
    plane_points,
    square_range,
    to_fractions,
    which_classes,
)

LIVE = Path(__file__).resolve().parent.parent / "views" / "live"
SHIPPED = ["mnist-z2", "mnist-z5", "mnist-z10", "mnist-z20"]
TOLERANCE = 1e-4
N_CODES = 71  # more than the kernel's MAX_BATCH (64 at a time, then 7), and not a multiple of 4: runMlp's
# batches of four end with a partial one

HARNESS = """
const fs = require("fs");
const [decoderPath, encoderPath, inputPath] = process.argv.slice(2);
const decoder = parseModel(new Uint8Array(fs.readFileSync(decoderPath)));
const encoder = parseModel(new Uint8Array(fs.readFileSync(encoderPath)));
const input = JSON.parse(fs.readFileSync(inputPath, "utf8"));
const codes = Float32Array.from(input.codes.flat());
const decoded = Array.from(decodeCodes(decoder, codes, input.codes.length));
const single = input.codes.map((z) => Array.from(decodeCodes(decoder, Float32Array.from(z), 1)));
const logits = runMlp(decoder.layers, decoder.act, codes, input.codes.length, "plain");
const plain = Array.from(logits, (v) => 1 / (1 + Math.exp(-v)));
const encoded = input.images.map((x) => {
  const q = encodeImage(encoder, Float32Array.from(x));
  return { mu: Array.from(q.mu), logvar: Array.from(q.logvar) };
});
const ids = [decoder.id, encoder.id];
console.log(JSON.stringify({ ids, simd: decoder.fast !== null, decoded, single, plain, encoded }));
"""


def run_js(source_files: list[str], harness: str, args: list[str], tmp_path: Path) -> dict:
    """Run the named files of views/live, then `harness`, as one node script; its printed JSON."""
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node is not installed (apt-get install nodejs)")
    script = tmp_path / "run.cjs"
    script.write_text("\n".join((LIVE / f).read_text() for f in source_files) + harness)
    done = subprocess.run([node, str(script), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", SHIPPED)
def test_browser_model_matches_torch(name: str, tmp_path: Path) -> None:
    torch.set_num_threads(1)
    lm = load(PRETRAINED_DIR / name)
    (decoder_sha1, decoder), (encoder_sha1, encoder) = (browser_message(lm.model, part)
                                                        for part in ("decoder", "encoder"))
    digits = load_test_digits()
    images = np.stack([digits.grey(i) for i in range(0, 10_000, 1250)]).reshape(-1, 784).astype(np.float32)
    codes = (2.0 * np.random.default_rng(0).standard_normal((N_CODES, lm.latent_dim))).astype(np.float32)
    (tmp_path / "decoder.bin").write_bytes(decoder)
    (tmp_path / "encoder.bin").write_bytes(encoder)
    (tmp_path / "input.json").write_text(json.dumps({"codes": codes.tolist(), "images": images.tolist()}))
    files = [str(tmp_path / name) for name in ("decoder.bin", "encoder.bin", "input.json")]
    out = run_js(["model.js", "kernel.js"], HARNESS, files, tmp_path)

    assert out["ids"] == [decoder_sha1, encoder_sha1]
    assert out["simd"], "node 20 has WebAssembly SIMD: the kernel is what is tested"
    with torch.inference_mode():
        probs = lm.model.decode(torch.from_numpy(codes)).numpy()
        q = lm.model.encode(torch.from_numpy(images))
    assert np.abs(np.array(out["decoded"]) - probs.reshape(-1)).max() <= TOLERANCE
    assert np.abs(np.array(out["single"]) - probs).max() <= TOLERANCE
    assert np.abs(np.array(out["plain"]) - probs.reshape(-1)).max() <= TOLERANCE  # the path with no SIMD
    assert np.abs(np.array([e["mu"] for e in out["encoded"]]) - q.mu.numpy()).max() <= TOLERANCE
    assert np.abs(np.array([e["logvar"] for e in out["encoded"]]) - q.logvar.numpy()).max() <= TOLERANCE


DRAWING_HARNESS = """
const fs = require("fs");
const drawings = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
console.log(JSON.stringify(drawings.map(({ ink, w, h }) => {
  const out = drawingToMnist(Float32Array.from(ink), w, h);
  return out && { x: Array.from(out.x), wide: out.wide };
})));
"""


def strokes(seed: int, side: int = 280) -> np.ndarray:
    """Ink in [0, 1] like the canvas's: a few thick anti-aliased strokes (drawn large, shrunk) somewhere on it."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    big = Image.new("L", (side * 4, side * 4), 0)
    draw = ImageDraw.Draw(big)
    points = [tuple(int(v) for v in rng.uniform(0.1, 0.9, 2) * side * 4) for _ in range(rng.integers(2, 6))]
    draw.line(points, fill=255, width=int(rng.integers(8, 20)) * 4, joint="curve")
    return np.asarray(big.resize((side, side), Image.Resampling.BOX), dtype=np.float32) / 255.0


def test_browser_drawing_recipe_matches_the_servers(tmp_path: Path) -> None:
    from vae_core.drawing import drawing_to_mnist

    inks = [strokes(seed) for seed in range(12)]
    inks.append(np.pad(np.ones((6, 200), np.float32), ((137, 137), (40, 40))))  # a wide bar
    inks.append(np.pad(np.ones((1, 1), np.float32), ((100, 179), (50, 229))))  # a dot
    (tmp_path / "drawings.json").write_text(json.dumps([{"ink": a.ravel().tolist(), "w": a.shape[1], "h": a.shape[0]}
                                                        for a in inks]))
    out = run_js(["draw.js"], DRAWING_HARNESS, [str(tmp_path / "drawings.json")], tmp_path)
    for ink, browser in zip(inks, out):
        server = drawing_to_mnist(ink)
        assert browser is not None
        assert np.array_equal(np.round(np.array(browser["x"]) * 255), np.round(server.x * 255))
        assert browser["wide"] == server.wide
    assert out[-2]["wide"]


PATH_HARNESS = """
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
console.log(JSON.stringify(cases.map(({ a, b, ends, steps, method }) => ({
  codes: Array.from(interpolateCodes(Float32Array.from(a), Float32Array.from(b), steps, method)),
  fade: Array.from(pixelCrossfade(...ends.map((grey) => Float32Array.from(grey, (g) => g / 255)), steps)),
}))));
"""


def test_browser_paths_match_vae_core_latent(tmp_path: Path) -> None:
    """latent.js against vae_core.latent: the interpolation page's live strips (live.js modes 'between' and
    'crossfade') for every count of the Steps slider, both paths, and slerp's fallbacks to a line (a zero code,
    parallel codes). The cross-fade's ends are grey levels as interpolation_strip takes them (uint8 / 255)."""
    from views.controls import INTERP_STEPS

    rng = np.random.default_rng(1)
    a, b = (2.0 * rng.standard_normal((2, 20))).astype(np.float32)
    ends = rng.integers(0, 256, (2, 784))
    # Not opposite codes: their great circle is undefined, and either side's is rounding noise over sin(pi).
    pairs = [(a, b), (a[:2], b[:2]), (np.zeros(5, np.float32), b[:5]), (a[:5], 3 * a[:5])]
    cases = [{"a": p.tolist(), "b": q.tolist(), "ends": ends.tolist(), "steps": steps, "method": method}
             for p, q in pairs for method in ("linear", "slerp")
             for steps in range(INTERP_STEPS.low, INTERP_STEPS.high + 1)]
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    out = run_js(["model.js", "latent.js"], PATH_HARNESS, [str(tmp_path / "cases.json")], tmp_path)

    grey = torch.from_numpy(ends).float() / 255.0
    for case, browser in zip(cases, out, strict=True):
        codes = interpolate(torch.tensor(case["a"]), torch.tensor(case["b"]), case["steps"], case["method"])
        assert np.abs(np.array(browser["codes"]) - codes.numpy().reshape(-1)).max() <= 1e-6, case["method"]
        fade = pixel_crossfade(grey[0], grey[1], case["steps"]).numpy().reshape(-1)
        assert np.abs(np.array(browser["fade"]) - fade).max() <= 1e-6


ELLIPSE_HARNESS = """
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
console.log(JSON.stringify(cases.map(({ centre, cov }) => ellipsePoints(centre[0], centre[1], cov))));
"""


def test_browser_ellipse_is_vae_core_latents_1_sigma_contour(tmp_path: Path) -> None:
    """latent.js's ellipsePoints (a map pick's marks, drawn before the server's) against vae_core.latent.ellipse:
    the same 60 points from t = 0 to 2 pi on the same contour, for tilted, axis-aligned (either way round), round
    and flat covariances. The eigenvectors' signs may differ from torch's, which moves the points along the contour
    but not off it: each point is checked on the contour, and the two outlines' extents must agree."""
    rng = np.random.default_rng(2)
    tilted = [(lambda m: (m @ m.T).tolist())(rng.standard_normal((2, 2))) for _ in range(5)]
    covs = [*tilted, [[0.04, 0.0], [0.0, 0.01]], [[0.01, 0.0], [0.0, 0.04]], [[0.02, 0.0], [0.0, 0.02]],
            [[1e-4, 0.0], [0.0, 0.0]]]
    cases = [{"centre": rng.uniform(0, 1, 2).tolist(), "cov": [c[0][0], c[0][1], c[1][1]]} for c in covs]
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    out = run_js(["latent.js"], ELLIPSE_HARNESS, [str(tmp_path / "cases.json")], tmp_path)
    for case, cov, browser in zip(cases, covs, out, strict=True):
        points = np.array(browser)
        torch_points = ellipse(torch.tensor(case["centre"]), torch.tensor(cov)).numpy()
        assert points.shape == torch_points.shape == (60, 2)
        assert np.allclose(points[0], points[-1])  # closed, like torch's
        # Two 60-gons on one contour, their corners elsewhere: extents within 1 - cos(pi / 59) ~ 0.14% of a radius.
        slack = 2e-3 * np.sqrt(np.trace(cov))
        assert np.allclose(points.min(0), torch_points.min(0), atol=slack)
        assert np.allclose(points.max(0), torch_points.max(0), atol=slack)
        if np.linalg.det(cov) > 0:
            offsets = points - case["centre"]
            on_contour = np.einsum("ni,ij,nj->n", offsets, np.linalg.inv(cov), offsets)
            assert np.allclose(on_contour, 1, atol=1e-9)


POSTERIOR_HARNESS = """
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
console.log(JSON.stringify(cases.map(({ mu, std, plane }) => posteriorOnMap(mu, std, plane))));
"""


def test_browser_posterior_on_the_map_is_where_the_server_marks_it(tmp_path: Path) -> None:
    """latent.js's posteriorOnMap (a sidebar button's digit marked on the latent map before the server's marks)
    against the map's own maths: vae_core.latent's project and projected_cov, and map.py's to_fractions and its
    covariance in fractions, for the 2-D model's plane and a 20-D model's PCA plane."""
    rng = np.random.default_rng(3)
    cases, expected = [], []
    for dim in (2, 20):
        mu, std = rng.standard_normal(dim), rng.uniform(0.05, 1.0, dim)
        box = [-2.5, 1.5, -1.0, 3.0]
        comps, mean = (None, None) if dim == 2 else (torch.tensor(np.linalg.qr(rng.standard_normal((dim, 2)))[0].T),
                                                     torch.tensor(rng.standard_normal(dim)))
        centre = torch.tensor(mu[:2]) if comps is None else project(torch.tensor(mu)[None], mean, comps)[0]
        cov = projected_cov(torch.tensor(std), comps)
        (x,), (y,) = to_fractions(centre[:1].numpy(), centre[1:2].numpy(), tuple(box))
        sx, sy = 1 / (box[1] - box[0]), 1 / (box[3] - box[2])
        expected.append([x, y, cov[0, 0] * sx * sx, -cov[0, 1] * sx * sy, cov[1, 1] * sy * sy])
        cases.append({"mu": mu.tolist(), "std": std.tolist(), "plane": {
            "box": box, "mean": None if mean is None else mean.tolist(),
            "components": None if comps is None else comps.tolist()}})
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    out = run_js(["latent.js"], POSTERIOR_HARNESS, [str(tmp_path / "cases.json")], tmp_path)
    for browser, want in zip(out, expected, strict=True):
        got = [browser["x"], browser["y"], *browser["cov"]]
        assert np.allclose(got, [float(v) for v in want], atol=1e-4)  # to_fractions rounds to 4 places


SCATTER_HARNESS = """
const fs = require("fs");
const [pointsPath, casesPath, outDir] = process.argv.slice(2);
receivePoints(new Uint8Array(fs.readFileSync(pointsPath)));
const points = [...pointSets.values()][0].value;
const cases = JSON.parse(fs.readFileSync(casesPath, "utf8"));
console.log(JSON.stringify(cases.map(({ classes, box, px, radius, cells, colours }, k) => {
  const shown = shownPoints(points, new Set(classes));
  const pixels = new Uint8ClampedArray(px * px * 4);
  paintScatter(pixels, px, points, shown, box, radius, colours);
  fs.writeFileSync(`${outDir}/picture${k}.rgba`, pixels);
  return { targets: scatterTargets(points, shown, box, cells), which: whichClasses(classes) };
})));
"""


@pytest.mark.parametrize("name", ["mnist-z2", "mnist-z20"])
def test_browser_map_paints_the_servers_picture_and_picks_its_targets(name: str, tmp_path: Path) -> None:
    """scatter.js, from the map's points message (views/pages/map.py map_points), against the server's own map:
    class_scatter's picture pixel for pixel (glyphs clipped at the edges among them), cell_representatives' click
    targets with to_fractions' places and the covariance in fractions, and which_classes' words, for every class,
    two classes over all the points, and none."""
    lm = load(PRETRAINED_DIR / name)
    points, labels = plane_points(lm), lm.latents["test_labels"].long()
    comps = lm.latents["pca_components"] if lm.latent_dim > 2 else None
    source = map_points(f"test-{name}", points, labels, lm.latents["test_logvar"], comps)
    (tmp_path / "points.bin").write_bytes(source.message)
    px = 240  # the picture's size does not change the arithmetic; a small one keeps the test fast
    boxes = [square_range(points, manifold_range(grid_axis(2, eps=0.05))), square_range(points, None)]
    cases = [{"classes": classes, "box": list(box), "px": px, "radius": DOT_PX, "cells": TARGET_CELLS,
              "colours": CLASS_COLOURS} for classes, box in ((list(range(10)), boxes[0]), ([3, 5], boxes[1]),
                                                            ([], boxes[1]))]
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    out = run_js(["model.js", "draw.js", "scatter.js"], SCATTER_HARNESS,
                 [str(tmp_path / "points.bin"), str(tmp_path / "cases.json"), str(tmp_path)], tmp_path)
    logvar = lm.latents["test_logvar"]
    for k, (case, browser) in enumerate(zip(cases, out, strict=True)):
        box, shown = case["box"], torch.nonzero(torch.isin(labels, torch.tensor(case["classes"]))).reshape(-1)
        painted = np.fromfile(tmp_path / f"picture{k}.rgba", np.uint8).reshape(px, px, 4)[..., :3]
        server = class_scatter(points[shown, :2].numpy(), labels[shown].numpy(), box[:2], box[2:], px, DOT_PX)
        np.testing.assert_array_equal(painted, server)
        rows = cell_representatives(points[shown], box[:2], box[2:], TARGET_CELLS)
        t = browser["targets"]
        assert t["id"] == shown[rows].tolist() and t["label"] == labels[shown[rows]].tolist()
        x, y = to_fractions(points[shown[rows], 0].numpy(), points[shown[rows], 1].numpy(), tuple(box))
        assert np.allclose(t["x"], x, atol=1e-4) and np.allclose(t["y"], y, atol=1e-4)
        if len(rows):
            cov = projected_cov((0.5 * logvar[shown[rows]].float()).exp(), comps)
            sx, sy = 1 / (box[1] - box[0]), 1 / (box[3] - box[2])
            want = torch.stack([cov[:, 0, 0] * sx * sx, -cov[:, 0, 1] * sx * sy, cov[:, 1, 1] * sy * sy], 1)
            assert np.allclose(t["cov"], want.numpy(), rtol=1e-5, atol=1e-9)  # sent as float32
        assert browser["which"] == which_classes(case["classes"])
    assert len(out[0]["targets"]["id"]) > 300 and out[2]["targets"]["id"] == []


LOADER_HARNESS = """
globalThis.window = new EventTarget();  // what the loader uses of the page's window
const { default: mount } = await import(process.argv[2]);
const calls = [];
const early = mount({ id: "early" });  // mounted before the runtime's module has loaded
const gone = mount({ id: "gone" });
gone();  // taken away before it loads
window.vaeLiveMount = (component) => {
  calls.push(component.id);
  return () => calls.push(`cleanup ${component.id}`);
};
window.dispatchEvent(new Event("vae-live-runtime"));  // as main.js does once loaded
const late = mount({ id: "late" });
early();
late();
console.log(JSON.stringify(calls));
"""


def test_a_mount_before_the_runtime_waits_for_it_and_one_taken_away_first_never_mounts(tmp_path: Path) -> None:
    """views.live.LOADER_JS: every mount of "vae_live" runs in the runtime's module (main.js mountLive); one that
    comes before that module has loaded mounts when it does, and its cleanup still reaches the runtime's."""
    from views.live import LOADER_JS

    node = shutil.which("node")
    if node is None:
        skip_or_fail("node is not installed (apt-get install nodejs)")
    (tmp_path / "loader.mjs").write_text(LOADER_JS)
    (tmp_path / "run.mjs").write_text(LOADER_HARNESS)
    done = subprocess.run([node, str(tmp_path / "run.mjs"), (tmp_path / "loader.mjs").as_uri()], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["early", "late", "cleanup early", "cleanup late"]
