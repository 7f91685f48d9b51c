"""Phone photos of handwriting that is not MNIST, through the upload path, judged by an MNIST classifier.

The photos are UCI's 8x8 handwritten digits (scikit-learn's `load_digits`, writers who are not MNIST's)
rendered by tests/photos.py as phone photos: clean, or with 2-4 defects at random (uneven light, a desk
edge, ruled or squared paper, a tilted sheet), plus non-digits (a word, three digits, a doodle, a blank
sheet, a gradient). The judge is a small CNN trained on the 60,000 MNIST training digits (cached in
artifacts/, never committed). Printed: the share of photos whose preprocessed 28x28 input the judge reads
as the digit written, for today's path (`--baseline`, a git revision of vae_core/preprocess.py) and for
this one; the share of non-digits flagged (refused, or a warning from `not_one_digit`); the share of digit
photos wrongly flagged.

    .venv/bin/python benchmarks/bench_photos.py [--photos 300] [--baseline fe84f4c]
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
from tests.photos import NOT_DIGITS, Photo, digit_photos, glyph_from_uci, not_digit_photos  # noqa: E402
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


def read_correctly(net: torch.nn.Module, x: np.ndarray, photos: list[Photo]) -> float:
    with torch.inference_mode():
        guess = net(torch.as_tensor(x)).argmax(1).numpy()
    return float(np.mean(guess == np.array([p.label for p in photos])))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--photos", type=int, default=300, help="digit photos per set (defects, clean)")
    p.add_argument("--not-digits", type=int, default=20, help="photos per kind of non-digit")
    p.add_argument("--baseline", default=BASELINE, help="git revision of today's upload path")
    p.add_argument("--model", default="mnist-z20", help="the model whose ELBO judges typicality")
    p.add_argument("--seed", type=int, default=17)
    args = p.parse_args(argv)
    print(machine_line())
    torch.set_num_threads(2)
    from sklearn.datasets import load_digits  # only here: the app never needs scikit-learn

    uci = load_digits()
    order = np.random.default_rng(args.seed).permutation(len(uci.images))
    hard_idx, clean_idx = order[: args.photos], order[args.photos : 2 * args.photos]
    t0 = time.perf_counter()
    sets = {
        "defects": digit_photos(uci.images[hard_idx], uci.target[hard_idx], args.seed, with_defects=True),
        "clean": digit_photos(uci.images[clean_idx], uci.target[clean_idx], args.seed + 1, with_defects=False),
    }
    others = not_digit_photos(args.seed + 2, args.not_digits, uci.images[order[2 * args.photos :]])
    print(f"{sum(map(len, sets.values())) + len(others)} photos generated in {time.perf_counter() - t0:.0f} s")

    net = judge()
    test = load_test_digits()
    test_x = test.images.reshape(-1, 784) / np.float32(255)
    test_read = read_correctly(net, test_x, [Photo("", b"", int(y)) for y in test.labels])
    print(f"judge on the MNIST test digits: {test_read:.1%}")
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

    print(f"\n{'photos':<10} {'n':>4} {'before':>8} {'after':>8} {'plain':>8}   (read correctly by the judge; plain: "
          "the same glyphs black on white, no photo, through this path: what the judge can read of them at best)")
    for (name, photos), idx in zip(sets.items(), (hard_idx, clean_idx)):
        before = read_correctly(net, inputs(photos, lambda d: run(old, d)), photos)
        after = read_correctly(net, inputs(photos, lambda d: run(preprocess, d)), photos)
        plain = np.stack([preprocess.to_mnist_style(on_white(glyph_from_uci(im, 200))).x for im in uci.images[idx]])
        print(f"{name:<10} {len(photos):>4} {before:>8.1%} {after:>8.1%} {read_correctly(net, plain, photos):>8.1%}")
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
