"""Measure a model on the 10,000 test digits (one fixed-seed binarization).

    python -m vae_core.evaluate pretrained/mnist-z20 [--iw-samples 5000] [--limit N] [--write]

Reports the test ELBO with its two terms, the importance-weighted NLL (Burda et al. 2015),
the active units (Cov_x(E_q[z_i]) > 0.01) and the KL of each latent dimension. A beta-VAE's ELBO is
measured at beta = 1, like every model's, so all compare. A plain autoencoder has no ELBO, KL or IW NLL
(its code is a point: the KL to the prior is infinite); it gets its log p(x|z = mu) and active units.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from tqdm import tqdm

from .checkpoint import load_model, objective_of, read_card, write_card
from .data import fixed_test_binarization, load_mnist
from .elbo import autoencoder_terms, elbo_terms, iw_log_likelihood
from .model import VAE

# An active unit (Burda et al. 2015): the variance over the test set of E_q[z_i] exceeds this. A property of the
# model, reported in its card, unlike analysis.ACTIVE_KL_NATS, which says which dimensions one digit uses.
ACTIVE_MU_VARIANCE = 0.01


@torch.inference_mode()
def evaluate_elbo(
    model: VAE, x: torch.Tensor, batch: int = 2000, seed: int = 0, objective: str = "vae"
) -> dict[str, float]:
    """Mean one-sample ELBO (at beta = 1, whatever beta trained the model) and its terms over x, with a fixed
    noise seed so runs compare; for an autoencoder (`objective` "ae") only log p(x|mu): it has no ELBO."""
    if objective == "ae":
        ll = sum(autoencoder_terms(model, xb).log_likelihood.sum().item() for xb in x.split(batch))
        return {"log_likelihood": ll / x.shape[0]}
    g = torch.Generator(device=x.device).manual_seed(seed)
    totals = {"elbo": 0.0, "log_likelihood": 0.0, "kl": 0.0}
    for xb in x.split(batch):
        eps = torch.randn((xb.shape[0], model.config.latent_dim), generator=g, device=x.device)
        t = elbo_terms(model, xb, eps)
        for k in totals:
            totals[k] += getattr(t, k).sum().item()
    return {k: v / x.shape[0] for k, v in totals.items()}


@torch.inference_mode()
def latent_usage(model: VAE, x: torch.Tensor, batch: int = 2000) -> tuple[torch.Tensor, torch.Tensor]:
    """(variance over x of E_q[z_i], mean KL of each dimension)."""
    mus, kls = [], []
    for xb in x.split(batch):
        t = elbo_terms(model, xb)
        mus.append(t.mu)
        kls.append(t.kl_per_dim)
    return torch.cat(mus).var(0), torch.cat(kls).mean(0)


@torch.inference_mode()
def test_nll(model: VAE, x: torch.Tensor, k: int, batch: int, seed: int = 0) -> float:
    g = torch.Generator(device=x.device).manual_seed(seed)
    total = 0.0
    for xb in tqdm(x.split(batch), desc=f"IW estimate (k={k})", unit="batch"):
        total += iw_log_likelihood(model, xb, k=k, chunk=max(1, 20000 // xb.shape[0]), generator=g).sum().item()
    return -total / x.shape[0]


def evaluate(
    folder: Path, iw_samples: int, limit: int | None, batch: int, data_dir: str | None, iw_limit: int | None = None
) -> dict:
    """The figures of the model in `folder` on the first `limit` test digits (all when None); the IW NLL, which
    costs `iw_samples` decoder passes per digit, on the first `iw_limit` of those."""
    model, card = load_model(folder)
    objective, _ = objective_of(card)
    autoencoder = objective == "ae"
    x = fixed_test_binarization(load_mnist(False, data_dir))
    if limit:
        x = x[:limit]
    started = time.time()
    e = evaluate_elbo(model, x, objective=objective)
    var_mu, kl_dims = latent_usage(model, x)
    x_iw = x[:iw_limit] if iw_limit else x
    nll = test_nll(model, x_iw, iw_samples, batch) if iw_samples > 0 and not autoencoder else None
    return {
        "objective": objective,
        "test_elbo": None if autoencoder else round(e["elbo"], 3),
        "test_log_likelihood": round(e["log_likelihood"], 3),
        "test_kl": None if autoencoder else round(e["kl"], 3),
        "test_nll": None if nll is None else round(nll, 3),
        "iw_samples": None if autoencoder else iw_samples,
        "n_test": x.shape[0],
        **({"iw_digits": x_iw.shape[0]} if iw_limit and nll is not None else {}),
        "active_units": int((var_mu > ACTIVE_MU_VARIANCE).sum()),
        "posterior_mean_variance": [round(v, 4) for v in var_mu.tolist()],
        "kl_per_dim": None if autoencoder else [round(v, 4) for v in kl_dims.tolist()],
        "eval_seconds": round(time.time() - started, 1),
        "eval_threads": torch.get_num_threads(),
    }


def print_table(name: str, m: dict) -> None:
    print(f"\n{name}  (n = {m['n_test']} test digits)")
    if m["test_elbo"] is None:
        print("  an autoencoder: no ELBO, KL or IW NLL (its code is a point, whose KL to N(0, I) is infinite)")
    rows = [
        ("test ELBO", m["test_elbo"]),
        ("  E_q[log p(x|z)]", m["test_log_likelihood"]),
        ("  KL(q || p)", m["test_kl"]),
        (f"test NLL (IW, k={m['iw_samples']}, {m.get('iw_digits', m['n_test'])} digits)" if m["iw_samples"]
         else "test NLL (IW)", m["test_nll"]),
        ("active units", m["active_units"]),
    ]
    for label, v in rows:
        print(f"  {label:<26} {v if v is not None else '-':>10}")
    print("  KL per dimension (nats):")
    kls = m["kl_per_dim"] or [None] * len(m["posterior_mean_variance"])
    for i, (kl, v) in enumerate(zip(kls, m["posterior_mean_variance"])):
        mark = "active" if v > ACTIVE_MU_VARIANCE else "inactive"
        print(f"    z{i:<3} {'-' if kl is None else f'{kl:8.3f}':>8}   Cov(E[z]) {v:8.4f}  {mark}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m vae_core.evaluate", description=__doc__.split("\n\n")[0])
    p.add_argument("model", type=Path, help="model folder, e.g. pretrained/mnist-z20")
    p.add_argument("--iw-samples", type=int, default=5000, help="importance samples per digit (0: skip NLL)")
    p.add_argument("--limit", type=int, default=None, help="only the first N test digits")
    p.add_argument("--iw-limit", type=int, default=None, help="the IW NLL on only the first N of those digits")
    p.add_argument("--batch", type=int, default=10, help="test digits per IW batch")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--write", action="store_true", help="store the figures in the model's card.json")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    m = evaluate(args.model, args.iw_samples, args.limit, args.batch, args.data_dir, args.iw_limit)
    print_table(args.model.name, m)
    if args.write:
        card = read_card(args.model)
        card["metrics"] = m
        write_card(args.model, card)
        print(f"\nwrote metrics to {args.model / 'card.json'}")


if __name__ == "__main__":
    main()
