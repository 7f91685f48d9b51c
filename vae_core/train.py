"""Train a VAE on dynamically binarized MNIST.

    python -m vae_core.train --latent-dim 20 --hidden 512,512 --epochs 40 --out pretrained/mnist-z20

Every epoch writes the model folder (weights + card), appends to `metrics.jsonl` and
saves `train_state.safetensors` (optimizer and random state), all atomically, so
`--resume` continues an interrupted run; Ctrl-C saves before exiting.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import load_file
from tqdm import tqdm

from .checkpoint import atomic_save_tensors, atomic_write_bytes, save_model
from .data import binarize, data_fingerprint, fixed_test_binarization, load_mnist, prepare_mnist
from .elbo import ELBOTerms, elbo_terms
from .evaluate import evaluate_elbo
from .model import VAE, VAEConfig

TRAIN_STATE = "train_state.safetensors"
METRICS = "metrics.jsonl"
SNAPSHOTS = "snapshots"


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
    p.add_argument("--kl-warmup", type=float, default=0.0, help="epochs over which the KL weight ramps 0 -> 1")
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
    return p.parse_args(argv)


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


def train_step(model: VAE, opt: torch.optim.Optimizer, x: torch.Tensor, beta: float, precision: str) -> ELBOTerms:
    """One Adam step on -ELBO for the batch x; returns the batch's ELBO terms (from before the step)."""
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
        t = elbo_terms(model, x, beta=beta)
    opt.zero_grad(set_to_none=True)
    (-t.elbo.mean()).backward()
    opt.step()
    return t


def lr_at(args: argparse.Namespace, progress: float) -> float:
    """Cosine decay from lr to lr * lr_final over training; progress in [0, 1]."""
    return args.lr * (args.lr_final + (1 - args.lr_final) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


def _flatten_optimizer(opt: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], str]:
    sd = opt.state_dict()
    tensors = {f"opt.{i}.{k}": torch.as_tensor(v) for i, s in sd["state"].items() for k, v in s.items()}
    return tensors, json.dumps(sd["param_groups"])


def _restore_optimizer(opt: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], groups: str) -> None:
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, v in tensors.items():
        if key.startswith("opt."):
            _, i, name = key.split(".", 2)
            state.setdefault(int(i), {})[name] = v
    opt.load_state_dict({"state": state, "param_groups": json.loads(groups)})


def save_snapshot(out: Path, model: VAE, epoch: int, test_x: torch.Tensor) -> None:
    """A replay frame: decoder weights (fp16) and the test digits' latent means at this epoch."""
    folder = out / SNAPSHOTS
    folder.mkdir(exist_ok=True)
    with torch.inference_mode():
        mu = torch.cat([model.encode(xb).mu for xb in test_x.split(2000)])
    tensors = {f"decoder.{k}": v.half() for k, v in model.decoder.state_dict().items()}
    tensors["test_mu"] = mu.half()
    atomic_save_tensors(tensors, folder / f"epoch-{epoch:04d}.safetensors", {"epoch": str(epoch)})


def train(args: argparse.Namespace, command: str | None = None) -> Path:
    out = Path(args.out)
    cli = args
    resumes: list[dict] = []
    if args.resume:
        saved = json.loads((out / "card.json").read_text())["training"]
        args = argparse.Namespace(**{**saved["args"], "resume": True, "device": cli.device})
        command, resumes = saved["command"], saved.get("resumes", [])
        for flag in ("epochs", "threads"):  # the only settings a resumed run may change
            if getattr(cli, flag) is not None:
                setattr(args, flag, getattr(cli, flag))
    args.epochs = 40 if args.epochs is None else args.epochs
    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else args.device
    device = "cpu" if device == "auto" else device
    args.precision = resolve_precision(getattr(args, "precision", "fp32"), device)  # a run from before the flag: fp32
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    root = prepare_mnist(args.data_dir, args.download)
    train_set = load_mnist(True, args.data_dir).to(device)
    test_x = fixed_test_binarization(load_mnist(False, args.data_dir).to(device))
    config = VAEConfig(args.latent_dim, tuple(int(h) for h in str(args.hidden).split(",")), args.activation)
    model = VAE(config).to(device)
    opt = make_optimizer(model, args.lr)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    snapshot_epochs = {int(e) for e in str(args.snapshot_epochs).split(",") if e.strip()}

    start_epoch, wall_before = 0, 0.0
    metrics_path = out / METRICS
    if args.resume:
        state = load_file(str(out / TRAIN_STATE), device=device)
        from safetensors import safe_open

        with safe_open(str(out / TRAIN_STATE), "pt") as f:
            meta = f.metadata()
        model.load_state_dict({k[6:]: v for k, v in state.items() if k.startswith("model.")})
        _restore_optimizer(opt, state, meta["param_groups"])
        gen.set_state(state["rng.data"].cpu())
        torch.set_rng_state(state["rng.torch"].cpu())
        start_epoch, wall_before = int(meta["epoch"]), float(meta["wall_time_s"])
        lines = metrics_path.read_text().splitlines() if metrics_path.exists() else []
        atomic_write_bytes(metrics_path, "".join(line + "\n" for line in lines[:start_epoch]).encode())
        resumes.append({"at_epoch": start_epoch, "epochs": args.epochs})
        print(f"resuming {out} at epoch {start_epoch}/{args.epochs}")
    else:
        out.mkdir(parents=True, exist_ok=True)
        metrics_path.write_text("")
        if 0 in snapshot_epochs:
            save_snapshot(out, model, 0, test_x)

    training = {
        "command": command or "vae_core.train.train() called from Python",
        "args": {k: v for k, v in vars(args).items() if k != "resume"},
        "device": torch.cuda.get_device_name() if device == "cuda" else f"cpu ({torch.get_num_threads()} threads)",
        "torch": torch.__version__,
        "data_sha256": data_fingerprint(root),
    }
    if resumes:
        training["resumes"] = resumes

    n, bs = train_set.images.shape[0], args.batch_size
    steps_per_epoch = math.ceil(n / bs)
    total_steps = steps_per_epoch * args.epochs
    warmup_steps = args.kl_warmup * steps_per_epoch
    started = time.time()
    epoch = start_epoch

    def checkpoint(completed_epochs: int, last: dict | None) -> None:
        wall = wall_before + time.time() - started
        card = {"training": {**training, "epochs": completed_epochs, "wall_time_s": round(wall, 1)}}
        if last:
            card["training"]["final"] = last
        save_model(out, model, card)
        tensors, groups = _flatten_optimizer(opt)
        tensors |= {f"model.{k}": v for k, v in model.state_dict().items()}
        tensors |= {"rng.data": gen.get_state(), "rng.torch": torch.get_rng_state()}
        meta = {"epoch": str(completed_epochs), "wall_time_s": str(wall), "param_groups": groups}
        atomic_save_tensors(tensors, out / TRAIN_STATE, meta)

    last = None
    try:
        for epoch in range(start_epoch, args.epochs):
            model.train()
            t0 = time.time()
            perm = torch.randperm(n, generator=gen, device=device)
            sums = torch.zeros(3, device=device)
            bar = tqdm(perm.split(bs), desc=f"epoch {epoch + 1}/{args.epochs}", unit="batch", leave=False)
            for i, idx in enumerate(bar):
                step = epoch * steps_per_epoch + i
                for group in opt.param_groups:
                    group["lr"] = lr_at(args, step / total_steps)
                beta = min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0
                x = binarize(train_set.images[idx], gen)
                t = train_step(model, opt, x, beta, args.precision)
                with torch.no_grad():
                    sums += torch.stack([(t.log_likelihood - t.kl).sum(), t.log_likelihood.sum(), t.kl.sum()])
                if i % 50 == 0:
                    bar.set_postfix(loss=f"{-t.elbo.mean().item():.2f}", beta=f"{beta:.2f}")
            model.eval()
            train_m = (sums / n).tolist()
            test_m = evaluate_elbo(model, test_x)
            last = {
                "epoch": epoch + 1,
                "train_elbo": round(train_m[0], 4),
                "train_log_likelihood": round(train_m[1], 4),
                "train_kl": round(train_m[2], 4),
                "test_elbo": round(test_m["elbo"], 4),
                "test_log_likelihood": round(test_m["log_likelihood"], 4),
                "test_kl": round(test_m["kl"], 4),
                "lr": lr_at(args, (epoch + 1) / args.epochs),
                "epoch_seconds": round(time.time() - t0, 2),
            }
            with open(metrics_path, "a") as f:
                f.write(json.dumps(last) + "\n")
            checkpoint(epoch + 1, last)
            if epoch + 1 in snapshot_epochs:
                save_snapshot(out, model, epoch + 1, test_x)
            tqdm.write(
                f"epoch {epoch + 1:4d}  train ELBO {train_m[0]:9.3f}  test ELBO {test_m['elbo']:9.3f}  "
                f"({last['epoch_seconds']:.1f} s)"
            )
    except KeyboardInterrupt:
        # Keep the partial epoch's updates; resume restarts that epoch from its first batch.
        checkpoint(epoch, last)
        print(f"\ninterrupted: saved {out} at epoch {epoch}; continue with --resume --out {out}")
        raise SystemExit(130) from None
    print(f"done: {out}  (test ELBO {last['test_elbo'] if last else float('nan'):.3f})")
    return out


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    train(parse_args(argv), command="python -m vae_core.train " + shlex.join(argv))


if __name__ == "__main__":
    main()
