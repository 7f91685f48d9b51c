"""Train a VAE on dynamically binarized MNIST.

    python -m vae_core.train --latent-dim 20 --hidden 512,512 --epochs 40 --out pretrained/mnist-z20
    python -m vae_core.train --latent-dim 20 --beta 4 --out pretrained/my-beta4     # a beta-VAE
    python -m vae_core.train --latent-dim 20 --objective ae --out pretrained/my-ae  # a plain autoencoder

Every epoch writes the model folder (weights + card), appends to `metrics.jsonl` and
saves `train_state.safetensors` (optimizer and random state), all atomically, so
`--resume` continues an interrupted run; Ctrl-C saves before exiting, and `--stop-after N`
stops the same way after epoch N (to replay a run that was interrupted and resumed).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from .checkpoint import (
    append_metrics,
    load_train_state,
    read_card,
    save_model,
    save_train_state,
    truncate_metrics,
)
from .data import MNISTSplit, binarize, data_fingerprint, fixed_test_binarization, load_mnist, prepare_mnist
from .elbo import OBJECTIVES, ELBOTerms, objective_terms
from .evaluate import evaluate_elbo
from .model import VAE, VAEConfig
from .snapshots import save_snapshot

DEFAULT_EPOCHS = 40


@dataclass
class TrainConfig:
    """A run's settings: the card's `training.args` (same keys, same order), rebuilt from it on --resume.

    `precision` is stored resolved ('fp32' or 'bf16', never 'auto'), so a resumed run keeps it.
    `objective` is "vae" (the ELBO with its KL weighted by `beta`) or "ae" (a plain autoencoder).
    """

    out: str
    latent_dim: int = 20
    hidden: str = "512,512"
    activation: str = "gelu"
    epochs: int = DEFAULT_EPOCHS
    batch_size: int = 128
    lr: float = 1e-3
    lr_final: float = 0.02
    objective: str = "vae"
    beta: float = 1.0
    kl_warmup: float = 0.0
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"
    threads: int | None = None
    snapshot_epochs: str = ""
    data_dir: str | None = None
    download: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> TrainConfig:
        """The command line's settings (every flag but --resume); no --epochs means DEFAULT_EPOCHS."""
        settings = {f.name: getattr(args, f.name) for f in dataclasses.fields(cls)}
        return cls(**{**settings, "epochs": DEFAULT_EPOCHS if args.epochs is None else args.epochs})

    @classmethod
    def from_card(cls, args: dict[str, Any], **changes: Any) -> TrainConfig:
        """The settings a card's `training.args` recorded, with `changes` applied (what a resume may change).

        A card from before --precision existed has no 'precision': those runs were fp32; one from before
        --objective has no 'objective' or 'beta': those runs maximized the ELBO."""
        before = {"precision": "fp32", "objective": "vae", "beta": 1.0}
        return dataclasses.replace(cls(**{**before, **args}), **changes)

    def to_card(self) -> dict[str, Any]:
        """The card's `training.args`."""
        return dataclasses.asdict(self)

    def vae_config(self) -> VAEConfig:
        return VAEConfig(self.latent_dim, tuple(int(h) for h in str(self.hidden).split(",")), self.activation)

    def snapshot_epoch_set(self) -> set[int]:
        return {int(e) for e in str(self.snapshot_epochs).split(",") if e.strip()}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m vae_core.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="model folder to write, e.g. pretrained/mnist-z20")
    p.add_argument("--latent-dim", type=int, default=20)
    p.add_argument("--hidden", default="512,512", help="hidden layer sizes, comma separated")
    p.add_argument("--activation", default="gelu")
    p.add_argument("--epochs", type=int, default=None, help="total epochs (default 40); with --resume: the new plan")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3, help="peak Adam learning rate")
    p.add_argument("--lr-final", type=float, default=0.02, help="final LR as a fraction of --lr (cosine decay)")
    p.add_argument(
        "--objective",
        default="vae",
        choices=OBJECTIVES,
        help="vae: maximize the ELBO with the KL weighted by --beta; ae: a plain autoencoder (z = mu, no KL, "
        "no sampling)",
    )
    p.add_argument("--beta", type=float, default=1.0, help="the vae objective's KL weight (1: the ELBO; else beta-VAE)")
    p.add_argument("--kl-warmup", type=float, default=0.0, help="epochs over which the KL weight ramps 0 -> beta")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument(
        "--precision",
        default="auto",
        choices=["auto", "fp32", "bf16"],
        help="matrix products in bf16 (autocast; weights, ELBO and evaluation stay fp32); auto: bf16 on CPUs "
        "with AVX512-BF16 or AMX, else fp32",
    )
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--snapshot-epochs", default="", help="epochs after which to keep a small snapshot, e.g. 0,1,2,5,10")
    p.add_argument("--data-dir", default=None, help="MNIST .gz folder (default: $VAE_DATA_DIR, ../shared/mnist)")
    p.add_argument("--download", action="store_true", help="download MNIST with torchvision if not found")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    p.add_argument(
        "--stop-after",
        type=int,
        default=None,
        help="save and stop after this many epochs, as Ctrl-C at that epoch's end would; continue with --resume "
        "(replays a run that was interrupted and resumed, e.g. make train-z20)",
    )
    args = p.parse_args(argv)
    if args.objective == "ae" and (args.beta != 1.0 or args.kl_warmup):
        p.error("--beta and --kl-warmup weight the KL, which the ae objective does not have")
    return args


def resolve_device(device: str) -> str:
    """'auto' -> 'cuda' if a GPU is visible, else 'cpu'; 'cpu' and 'cuda' as given."""
    if device != "auto":
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_precision(precision: str, device: str) -> str:
    """'auto' -> 'bf16' on CPUs that multiply bf16 natively, else 'fp32'.

    Measured (benchmarks/RESULTS.md): on an AVX512-BF16 CPU bf16 products run 2.8x fp32 and the
    whole step 1.6x; on an H100 this small MLP is launch-bound and autocast's casts made epochs
    35% slower; after 100 epochs both precisions gave the same test NLL within 0.03 nats.
    """
    if precision != "auto":
        return precision
    native = device == "cpu" and (torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    return "bf16" if native else "fp32"


def make_optimizer(model: VAE, lr: float) -> torch.optim.Adam:
    """Adam with torch's fused kernel: one pass over all parameters instead of a few ops per tensor,
    a quarter of a small model's CPU training step otherwise (benchmarks/bench_train.py)."""
    return torch.optim.Adam(model.parameters(), lr=lr, fused=True)


def train_step(
    model: VAE, opt: torch.optim.Optimizer, x: torch.Tensor, beta: float, precision: str, objective: str = "vae"
) -> ELBOTerms:
    """One Adam step on -objective (the beta-weighted ELBO, or an autoencoder's log p(x|mu)) for the batch x;
    returns the batch's terms (from before the step)."""
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
        t = objective_terms(model, x, objective, beta)
    opt.zero_grad(set_to_none=True)
    (-t.objective.mean()).backward()
    opt.step()
    return t


def lr_at(config: TrainConfig, progress: float) -> float:
    """Cosine decay from lr to lr * lr_final over training; progress in [0, 1]."""
    return config.lr * (config.lr_final + (1 - config.lr_final) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


def run_epoch(
    model: VAE, opt: torch.optim.Optimizer, train_set: MNISTSplit, gen: torch.Generator, config: TrainConfig, epoch: int
) -> dict[str, float]:
    """Train on every digit once, in a random order, freshly binarized; `epoch` counts from 0.

    The learning rate follows `lr_at` and the KL weight ramps up to `config.beta` over `config.kl_warmup`
    epochs, both per step. Returns the epoch's mean train ELBO, log-likelihood and KL (each batch's, before
    its step); an autoencoder's, which has no KL, the log-likelihood only.
    """
    n, bs = train_set.images.shape[0], config.batch_size
    steps_per_epoch = math.ceil(n / bs)
    total_steps = steps_per_epoch * config.epochs
    warmup_steps = config.kl_warmup * steps_per_epoch
    model.train()
    perm = torch.randperm(n, generator=gen, device=train_set.images.device)
    sums = torch.zeros(3, device=train_set.images.device)
    bar = tqdm(perm.split(bs), desc=f"epoch {epoch + 1}/{config.epochs}", unit="batch", leave=False)
    for i, idx in enumerate(bar):
        step = epoch * steps_per_epoch + i
        for group in opt.param_groups:
            group["lr"] = lr_at(config, step / total_steps)
        beta = config.beta * (min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0)
        x = binarize(train_set.images[idx], gen)
        t = train_step(model, opt, x, beta, config.precision, config.objective)
        with torch.no_grad():
            sums += torch.stack([t.elbo.sum(), t.log_likelihood.sum(), t.kl.sum()])
        if i % 50 == 0:
            bar.set_postfix(loss=f"{-t.objective.mean().item():.2f}", beta=f"{beta:.2f}")
    model.eval()
    means = dict(zip(("elbo", "log_likelihood", "kl"), (sums / n).tolist()))
    return {k: v for k, v in means.items() if math.isfinite(v)}


def save_checkpoint(
    out: Path,
    model: VAE,
    opt: torch.optim.Optimizer,
    gen: torch.Generator,
    training: dict[str, Any],
    epochs_done: int,
    wall_time_s: float,
    last: dict[str, Any] | None,
) -> None:
    """The model folder (weights, and the card with `training` at `epochs_done` epochs) and the train state."""
    card = {"training": {**training, "epochs": epochs_done, "wall_time_s": round(wall_time_s, 1)}}
    if last:
        card["training"]["final"] = last
    save_model(out, model, card)
    save_train_state(out, model, opt, gen, epochs_done, wall_time_s)


def train(config: TrainConfig, command: str | None = None, resume: bool = False, stop_after: int | None = None) -> Path:
    """Train (or with `resume`, continue the run saved in config.out) and return the model folder.

    A resumed run keeps the command and resumes recorded in the card; `config` should then come
    from `resume_config`. With `stop_after`, stop once that many epochs are done (the run can be resumed).
    """
    out = Path(config.out)
    resumes: list[dict] = []
    if resume:
        saved = read_card(out)["training"]
        command, resumes = saved["command"], saved.get("resumes", [])
    device = resolve_device(config.device)
    config = dataclasses.replace(config, precision=resolve_precision(config.precision, device))
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)

    root = prepare_mnist(config.data_dir, config.download)
    train_set = load_mnist(True, config.data_dir).to(device)
    test_x = fixed_test_binarization(load_mnist(False, config.data_dir).to(device))
    model = VAE(config.vae_config()).to(device)
    opt = make_optimizer(model, config.lr)
    gen = torch.Generator(device=device).manual_seed(config.seed)
    snapshot_epochs = config.snapshot_epoch_set()

    start_epoch, wall_before = 0, 0.0
    if resume:
        start_epoch, wall_before = load_train_state(out, model, opt, gen)
        truncate_metrics(out, start_epoch)
        resumes.append({"at_epoch": start_epoch, "epochs": config.epochs})
        print(f"resuming {out} at epoch {start_epoch}/{config.epochs}")
    else:
        out.mkdir(parents=True, exist_ok=True)
        truncate_metrics(out, 0)
        if 0 in snapshot_epochs:
            save_snapshot(out, model, 0, test_x)

    training = {
        "command": command or "vae_core.train.train() called from Python",
        "args": config.to_card(),
        "device": torch.cuda.get_device_name() if device == "cuda" else f"cpu ({torch.get_num_threads()} threads)",
        "torch": torch.__version__,
        "data_sha256": data_fingerprint(root),
    }
    if resumes:
        training["resumes"] = resumes

    end_epoch = config.epochs if stop_after is None else min(stop_after, config.epochs)
    started = time.time()
    epoch, last = start_epoch, None
    try:
        for epoch in range(start_epoch, end_epoch):
            t0 = time.time()
            train_m = run_epoch(model, opt, train_set, gen, config, epoch)
            test_m = evaluate_elbo(model, test_x, objective=config.objective)
            last = {
                "epoch": epoch + 1,
                **{f"train_{k}": round(v, 4) for k, v in train_m.items()},
                **{f"test_{k}": round(v, 4) for k, v in test_m.items()},
                "lr": lr_at(config, (epoch + 1) / config.epochs),
                "epoch_seconds": round(time.time() - t0, 2),
            }
            append_metrics(out, last)
            save_checkpoint(out, model, opt, gen, training, epoch + 1, wall_before + time.time() - started, last)
            if epoch + 1 in snapshot_epochs:
                save_snapshot(out, model, epoch + 1, test_x)
            key, name = ("elbo", "ELBO") if "elbo" in test_m else ("log_likelihood", "log p(x|mu)")
            tqdm.write(
                f"epoch {epoch + 1:4d}  train {name} {train_m[key]:9.3f}  test {name} {test_m[key]:9.3f}  "
                f"({last['epoch_seconds']:.1f} s)"
            )
    except KeyboardInterrupt:
        # Keep the partial epoch's updates; resume restarts that epoch from its first batch.
        save_checkpoint(out, model, opt, gen, training, epoch, wall_before + time.time() - started, last)
        print(f"\ninterrupted: saved {out} at epoch {epoch}; continue with --resume --out {out}")
        raise SystemExit(130) from None
    if end_epoch < config.epochs:
        print(f"stopped: saved {out} at epoch {end_epoch}/{config.epochs}; continue with --resume --out {out}")
        return out
    print(f"done: {out}  (test ELBO {last.get('test_elbo', float('nan')) if last else float('nan'):.3f})")
    return out


def resume_config(args: argparse.Namespace, card_args: dict[str, Any]) -> TrainConfig:
    """The settings of `--resume`: those in the card's `training.args`, but --out and --device as given now,
    and --epochs and --threads if given (the only settings a resumed run may change)."""
    changes = {k: getattr(args, k) for k in ("epochs", "threads") if getattr(args, k) is not None}
    return TrainConfig.from_card(card_args, out=args.out, device=args.device, **changes)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.resume:
        config = resume_config(args, read_card(args.out)["training"]["args"])
        train(config, resume=True, stop_after=args.stop_after)
    else:
        command = "python -m vae_core.train " + shlex.join(argv)
        train(TrainConfig.from_args(args), command, stop_after=args.stop_after)


if __name__ == "__main__":
    main()
