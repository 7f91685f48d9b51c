"""Training speed on CPU: the common torchvision + DataLoader idiom against our in-memory data path.

    python benchmarks/bench_train.py [--threads 2] [--data-dir DIR] [--max-batches N]

All runs train the classic 784-400-20 VAE of pytorch/examples (vae/main.py: one ReLU hidden layer
of 400, batch 128, Adam 1e-3) for one epoch of dynamically binarized MNIST, with the same initial
weights, the same loss (vae_core.elbo.elbo_terms) and the same number of threads:

  (a) the idiom: torchvision.datasets.MNIST(transform=ToTensor()) + DataLoader(batch_size=128,
      shuffle=True), a PIL image and a tensor per digit, then collation, for every batch; and
      torch.optim.Adam with its defaults, as pytorch/examples has it;
  (b) vae_core.train: vae_core.data.load_mnist once into one float tensor, then per batch a randperm
      slice, one index and vae_core.data.binarize; the trainer's step (train.make_optimizer, fused Adam,
      and train.train_step with the precision `--precision auto` picks on this machine);
  (c) the idiom's batches with the trainer's step, so (c)/(b) is the data path alone.

Setup (reading the files) is timed apart from the epoch; samples/s is for the epoch alone. The runs
alternate step by step, so a change in the machine's load hits all alike. Besides wall-clock
samples/s it prints samples per CPU-second of this process, which stays meaningful when other jobs
share the CPU (with several threads it adds up every thread's time, spin-waits included).
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
from vae_core.train import make_optimizer, resolve_precision, train_step  # noqa: E402

BATCH = 128
CONFIG = VAEConfig(latent_dim=20, hidden=(400,), activation="relu")
PRECISION = resolve_precision("auto", "cpu")  # what the trainer uses here by default


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

    dataset = datasets.MNIST(root, train=True, download=False, transform=transforms.ToTensor())  # reads the files
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=True)
    return (torch.bernoulli(images.view(-1, 784)) for images, _ in loader)


def in_memory_batches(data_dir: str | None) -> Iterator[torch.Tensor]:
    """(b) vae_core.train's path: one tensor in memory; per epoch a permutation, per batch index + binarize."""
    images = load_mnist(True, data_dir).images
    gen = torch.Generator().manual_seed(0)

    def epoch() -> Iterator[torch.Tensor]:
        perm = torch.randperm(images.shape[0], generator=gen)
        for idx in perm.split(BATCH):
            yield binarize(images[idx], gen)

    return epoch()


class Run:
    """A fresh model fed by one data path, trained by the idiom's step or the trainer's; times its own steps."""

    def __init__(self, name: str, make_batches: Callable[[], Iterator[torch.Tensor]], trainer_step: bool) -> None:
        torch.manual_seed(0)  # the same initial weights for every run
        self.name, self.model, self.trainer_step = name, VAE(CONFIG), trainer_step
        if trainer_step:
            self.opt = make_optimizer(self.model, 1e-3)
        else:
            self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)  # as pytorch/examples
        started = time.perf_counter()
        self.batches = make_batches()
        self.setup = time.perf_counter() - started
        self.wall = self.cpu = 0.0
        self.samples = 0

    def step(self) -> bool:
        """Train on the next batch; False once the epoch is over."""
        wall, cpu = time.perf_counter(), time.process_time()
        x = next(self.batches, None)
        if x is not None:
            if self.trainer_step:
                train_step(self.model, self.opt, x, 1.0, PRECISION)
            else:
                loss = -elbo_terms(self.model, x).objective.mean()
                self.opt.zero_grad(set_to_none=True)
                loss.backward()
                self.opt.step()
            self.samples += x.shape[0]
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu  # this process's CPU time, all threads
        return x is not None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads, the same for both")
    p.add_argument("--data-dir", default=None, help="MNIST folder (default: $VAE_DATA_DIR, ../shared/mnist)")
    p.add_argument("--max-batches", type=int, default=None, help="stop after N batches each (quick check)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    root = str(prepare_mnist(args.data_dir))

    print(f"CPU: {cpu_model()} ({os.cpu_count()} logical CPUs, 1-min load average {os.getloadavg()[0]:.1f})")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"model 784-400-20 (ReLU), batch {BATCH}, Adam 1e-3, loss vae_core.elbo.elbo_terms")
    print(f"idiom's step: fp32, torch.optim.Adam defaults; trainer's step: fused Adam, precision {PRECISION}")
    runs = [
        Run("(a) DataLoader idiom, idiom's step", lambda: torchvision_batches(root), trainer_step=False),
        Run("(b) vae_core trainer: data path and step", lambda: in_memory_batches(args.data_dir), trainer_step=True),
        Run("(c) DataLoader idiom, trainer's step", lambda: torchvision_batches(root), trainer_step=True),
    ]
    for n in itertools.count(1):  # alternate steps (and which goes first) so both see the same machine load
        going = [run.step() for run in (runs if n % 2 else runs[::-1])]
        if not any(going) or (args.max_batches and n >= args.max_batches):
            break
    for r in runs:
        print(
            f"{r.name:<46} setup {r.setup:5.1f} s | epoch {r.wall:6.1f} s wall, {r.cpu:6.1f} s CPU | "
            f"{r.samples / r.wall:6.0f} samples/s wall, {r.samples / r.cpu:6.0f} samples/CPU-s"
        )
    a, b, c = runs
    print(f"speed-up of the trainer, (a)/(b): {a.wall / b.wall:.2f}x wall clock, {a.cpu / b.cpu:.2f}x CPU time")
    print(f"speed-up of the data path alone, (c)/(b): {c.wall / b.wall:.2f}x wall clock, {c.cpu / b.cpu:.2f}x CPU time")


if __name__ == "__main__":
    main()
