"""Training speed on CPU: the common torchvision + DataLoader idiom against our in-memory data path.

    python benchmarks/bench_train.py [--threads 2] [--data-dir DIR] [--max-batches N]

Both train the classic 784-400-20 VAE of pytorch/examples (vae/main.py: one ReLU hidden layer
of 400, batch 128, Adam 1e-3) for one epoch of dynamically binarized MNIST, with the same
initial weights, the same loss (vae_core.elbo.elbo_terms) and the same number of threads.
Only the way batches are produced differs:

  (a) torchvision.datasets.MNIST(transform=ToTensor()) + DataLoader(batch_size=128, shuffle=True):
      a PIL image and a tensor per digit, then collation, for every batch;
  (b) vae_core.train's path: vae_core.data.load_mnist once into one float tensor, then per batch
      a randperm slice, one index and torch.bernoulli.

Setup (reading the files) is timed apart from the epoch; samples/s is for the epoch alone.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere (make bench)
from vae_core.data import binarize, load_mnist, prepare_mnist  # noqa: E402
from vae_core.elbo import elbo_terms  # noqa: E402
from vae_core.model import VAE, VAEConfig  # noqa: E402

BATCH = 128
CONFIG = VAEConfig(latent_dim=20, hidden=(400,), activation="relu")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def torchvision_batches(root: str) -> Iterator[torch.Tensor]:
    """(a) The idiom: per-sample ToTensor, DataLoader collation, binarize each batch."""
    from torch.utils.data import DataLoader
    from torchvision import datasets, transforms

    dataset = datasets.MNIST(root, train=True, download=False, transform=transforms.ToTensor())
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=True)
    for images, _ in loader:
        yield torch.bernoulli(images.view(-1, 784))


def in_memory_batches(data_dir: str | None) -> Iterator[torch.Tensor]:
    """(b) vae_core.train's path: one tensor in memory, a permutation, index, binarize."""
    images = load_mnist(True, data_dir).images
    gen = torch.Generator().manual_seed(0)
    perm = torch.randperm(images.shape[0], generator=gen)
    for idx in perm.split(BATCH):
        yield binarize(images[idx], gen)


def time_epoch(make_batches: Callable[[], Iterator[torch.Tensor]], max_batches: int | None) -> tuple[float, float, int]:
    """(setup seconds, epoch seconds, samples) for one epoch of training a fresh model."""
    torch.manual_seed(0)
    model = VAE(CONFIG)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    started = time.perf_counter()
    batches = make_batches()
    first = next(batches)  # the generators read the files before their first batch
    setup = time.perf_counter() - started
    samples, n = 0, 0
    started = time.perf_counter()
    for x in itertools.chain([first], batches):
        loss = -elbo_terms(model, x).elbo.mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        samples += x.shape[0]
        n += 1
        if max_batches and n >= max_batches:
            break
    return setup, time.perf_counter() - started, samples


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads, the same for both")
    p.add_argument("--data-dir", default=None, help="MNIST folder (default: $VAE_DATA_DIR, ../shared/mnist)")
    p.add_argument("--max-batches", type=int, default=None, help="stop each run after N batches (quick check)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    root = str(prepare_mnist(args.data_dir))

    print(f"CPU: {cpu_model()} ({os.cpu_count()} logical CPUs, load average {os.getloadavg()[0]:.1f})")
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; model 784-400-20 (ReLU), batch {BATCH}, Adam 1e-3"
    )
    runs = {
        "(a) torchvision MNIST + ToTensor + DataLoader": lambda: torchvision_batches(root),
        "(b) vae_core in-memory path": lambda: in_memory_batches(args.data_dir),
    }
    rates = {}
    for name, make in runs.items():
        setup, seconds, samples = time_epoch(make, args.max_batches)
        rates[name] = samples / seconds
        print(f"{name:<48} setup {setup:6.2f} s  epoch {seconds:7.2f} s  {rates[name]:9.0f} samples/s")
    a, b = rates.values()
    print(f"ratio (b)/(a): {b / a:.2f}x")


if __name__ == "__main__":
    main()
