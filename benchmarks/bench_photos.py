"""Phone photos of handwriting that is not MNIST, through the upload path, judged by an MNIST classifier.

Two sources of handwriting, each photographed by tests/photos.py clean and with 2-4 defects at random (uneven
light, a desk edge, ruled or squared paper of any spacing, the sheet tilted up to 12 degrees), every photo with
its own size, pen (black, blue, light blue, red, green, pencil; fine to broad), paper tone, position, scale, focus
blur, sensor noise and JPEG quality: digits handwritten from pen strokes (tests/photos.py's `handwritten_digit`)
and UCI's 8x8 handwritten digits (scikit-learn's `load_digits`, writers who are not MNIST's). Plus non-digits (a
word, three digits, a doodle, a blank sheet, a gradient). All of it is drawn from --seed; nothing is stored.
The judge is a small CNN trained on the 60,000 MNIST training digits (cached in artifacts/, never committed).
Printed: the share of photos whose preprocessed 28x28 input the judge reads as the digit written, for the path
before issue 17 (`--baseline`, a git revision of vae_core/preprocess.py) and for this one, and for the same
glyphs drawn black on white ("plain": what the judge can read of that handwriting at best); per defect and per
pen; the share of non-digits flagged (refused, or a warning from `not_one_digit`); of digit photos, wrongly flagged.

    .venv/bin/python benchmarks/bench_photos.py [--photos 300] [--baseline fe84f4c] [--seed 17]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, when run as a script
from benchmarks.harness import ARTIFACTS, ROOT, machine_line  # noqa: E402
from tests.photos import DEFECTS, NOT_DIGITS, PENS, Photo, digit_photos, not_digit_photos  # noqa: E402
from vae_core import preprocess  # noqa: E402
from vae_core.analysis import elbo_of_each, elbo_spread  # noqa: E402
from vae_core.data import load_mnist  # noqa: E402
from vae_core.digits import load_test_digits  # noqa: E402
from vae_core.registry import load  # noqa: E402
from vae_core.render import grey_to_uint8  # noqa: E402

JUDGE = ARTIFACTS / "photo_judge_cnn.pt"
BASELINE = "fe84f4c"  # main before issue 17: the upload path the issue measured


def judge() -> torch.nn.Module:
    """A LeNet-like CNN (two 5x5 conv + pool layers, 128 hidden) trained for 2 epochs on MNIST's 60,000 training
    digits (Adam, about 20 s on 2 cores); it reads about 98% of the test digits. Cached in artifacts/."""
    nn = torch.nn
    net = nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    if JUDGE.exists():
        net.load_state_dict(torch.load(JUDGE, weights_only=True))
        return net.eval()
    train = load_mnist(train=True)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    for _ in range(2):
        for idx in torch.randperm(len(train.images), generator=g).split(128):
            opt.zero_grad()
            nn.functional.cross_entropy(net(train.images[idx]), train.labels[idx]).backward()
            opt.step()
    ARTIFACTS.mkdir(exist_ok=True)
    torch.save(net.state_dict(), JUDGE)
    return net.eval()


def baseline_module(revision: str):
    """vae_core/preprocess.py as it was at `revision`, loaded beside today's (same package, other name)."""
    source = subprocess.run(["git", "show", f"{revision}:vae_core/preprocess.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("vae_core._baseline_preprocess", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "vae_core"
    sys.modules[spec.name] = module  # dataclasses look their module up there
    exec(compile(source, f"{revision}:vae_core/preprocess.py", "exec"), module.__dict__)  # noqa: S102
    return module


def on_white(glyph: np.ndarray) -> Image.Image:
    """A glyph (ink in [0, 1]) black on a white page with a margin: no photo at all."""
    return Image.fromarray(grey_to_uint8(1 - np.pad(glyph, 40)))


def inputs(photos: list[Photo], path: Callable[[bytes], np.ndarray | None]) -> np.ndarray:
    """(N, 784) inputs; a refused photo is all zeros (read as wrong, flagged)."""
    return np.stack([x if (x := path(p.data)) is not None else np.zeros(784, np.float32) for p in photos])


def reads(net: torch.nn.Module, x: np.ndarray) -> np.ndarray:
    """The judge's digit for each (784,) input."""
    with torch.inference_mode():
        return net(torch.as_tensor(x)).argmax(1).numpy()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--photos", type=int, default=300, help="digit photos per set (2 sources x defects, clean)")
    p.add_argument("--not-digits", type=int, default=20, help="photos per kind of non-digit")
    p.add_argument("--baseline", default=BASELINE, help="git revision of the upload path before issue 17")
    p.add_argument("--model", default="mnist-z20", help="the model whose ELBO judges typicality")
    p.add_argument("--seed", type=int, default=17)
    args = p.parse_args(argv)
    print(machine_line())
    torch.set_num_threads(2)
    from sklearn.datasets import load_digits  # only here: the app never needs scikit-learn

    uci = load_digits()
    n, seed = args.photos, args.seed
    order = np.random.default_rng(seed).permutation(len(uci.images))
    labels = np.random.default_rng(seed + 1).integers(0, 10, 2 * n)
    t0 = time.perf_counter()
    sets = {
        "hand, defects": digit_photos(labels[:n], seed + 2, with_defects=True),
        "hand, clean": digit_photos(labels[n:], seed + 3, with_defects=False),
        "uci, defects": digit_photos(uci.target[order[:n]], seed + 4, True, uci.images[order[:n]]),
        "uci, clean": digit_photos(uci.target[order[n : 2 * n]], seed + 5, False, uci.images[order[n : 2 * n]]),
    }
    others = not_digit_photos(seed + 6, args.not_digits)
    print(f"{sum(map(len, sets.values())) + len(others)} photos generated in {time.perf_counter() - t0:.0f} s")

    net = judge()
    test = load_test_digits()
    test_x = test.images.reshape(-1, 784) / np.float32(255)
    print(f"judge on the MNIST test digits: {np.mean(reads(net, test_x) == test.labels):.1%}")
    model = load(ROOT / "pretrained" / args.model).model
    spread = elbo_spread(elbo_of_each(model, test_x))
    old = baseline_module(args.baseline)

    def run(module, data: bytes) -> np.ndarray | None:
        try:
            return module.to_mnist_style(module.load_image(data)).x
        except module.ImageInputError:
            return None

    def flag(data: bytes) -> str | None:
        """The page's reason for a warning or refusal, shortened to its first words; None when accepted."""
        try:
            result = preprocess.to_mnist_style(preprocess.load_image(data))
        except preprocess.ImageInputError as e:
            return " ".join(str(e).split()[:4])
        elbo = float(elbo_of_each(model, result.x[None])[0])
        reason = preprocess.not_one_digit(result, spread.share_below(elbo))
        return None if reason is None else " ".join(reason.split()[:4])

    print(f"\n{'photos':<14} {'n':>4} {'before':>8} {'after':>8} {'plain':>8}   (read correctly by the judge; plain: "
          "the same glyphs black on white, no photo, through this path: what the judge can read of them at best)")
    right = {}
    for name, photos in sets.items():
        truth = np.array([ph.label for ph in photos])
        before = np.mean(reads(net, inputs(photos, lambda d: run(old, d))) == truth)
        right[name] = reads(net, inputs(photos, lambda d: run(preprocess, d))) == truth
        plain = np.stack([preprocess.to_mnist_style(on_white(ph.glyph)).x for ph in photos])
        print(f"{name:<14} {len(photos):>4} {before:>8.1%} {right[name].mean():>8.1%} "
              f"{np.mean(reads(net, plain) == truth):>8.1%}")
    for source in ("hand", "uci"):
        photos = sets[f"{source}, defects"]
        ok = right[f"{source}, defects"]
        by_defect = {d: ok[[d in ph.defects for ph in photos]].mean() for d in DEFECTS}
        print(f"{source}, defects, read correctly per defect: "
              + ", ".join(f"{d} {v:.1%}" for d, v in by_defect.items()))
        both = [*photos, *sets[f"{source}, clean"]]
        ok_both = np.concatenate([ok, right[f"{source}, clean"]])
        print(f"{source}, both sets, per pen: " + ", ".join(
            f"{pen} {ok_both[[ph.name.split('_')[2] == pen for ph in both]].mean():.1%}" for pen in PENS))
    for name, photos in sets.items():
        reasons = [r for ph in photos if (r := flag(ph.data))]
        print(f"{name} digit photos wrongly flagged as not one digit: {len(reasons) / len(photos):.1%} "
              f"{dict(Counter(reasons))}")
    by_kind = {k: [flag(ph.data) for ph in others if ph.name.startswith(k)] for k in NOT_DIGITS}
    flagged = [r is not None for v in by_kind.values() for r in v]
    print(f"non-digits flagged: {np.mean(flagged):.1%} of {len(others)} "
          f"({', '.join(f'{k} {np.mean([r is not None for r in v]):.0%}' for k, v in by_kind.items())})")
    print(f"their reasons: {dict(Counter(r for v in by_kind.values() for r in v))}")


if __name__ == "__main__":
    main()
