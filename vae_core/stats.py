"""Latent statistics the app shows, computed once per model and stored beside the weights.

    python -m vae_core.stats pretrained/mnist-z2

Writes `latents.safetensors`: the posterior means (and log-variances) of the 10,000 test
digits with their labels, the mean code of each digit class, and a 2-D PCA of the means.
No pixels are stored. Inputs are the grey-level test digits, as the app feeds uploads.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .checkpoint import LATENTS, atomic_save_tensors, load_model
from .data import load_mnist
from .latent import pca_2d, project
from .model import VAE


@torch.inference_mode()
def latent_statistics(model: VAE, images: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
    """The tensors of `latents.safetensors` for these images (N, 784) in [0, 1] and their labels (N,)."""
    qs = [model.encode(xb) for xb in images.split(2000)]
    mu = torch.cat([q.mu for q in qs])
    logvar = torch.cat([q.logvar for q in qs])
    centroids = torch.stack([mu[labels == c].mean(0) for c in range(10)])
    pca_mean, components = pca_2d(mu)
    return {
        "test_mu": mu,
        "test_logvar": logvar.half(),
        "test_labels": labels.to(torch.uint8),
        "class_centroids": centroids,
        "pca_mean": pca_mean,
        "pca_components": components,
        "test_pca": project(mu, pca_mean, components),
    }


def main(argv: list[str] | None = None) -> None:
    """The command line: write the statistics of each model folder given."""
    p = argparse.ArgumentParser(prog="python -m vae_core.stats", description=__doc__.split("\n\n")[0])
    p.add_argument("models", type=Path, nargs="+", help="model folders")
    p.add_argument("--data-dir", default=None)
    args = p.parse_args(argv)
    test = load_mnist(False, args.data_dir)
    for folder in args.models:
        model, _ = load_model(folder)
        stats = latent_statistics(model, test.images, test.labels)
        atomic_save_tensors(stats, folder / LATENTS)
        print(f"wrote {folder / LATENTS}")


if __name__ == "__main__":
    main()
