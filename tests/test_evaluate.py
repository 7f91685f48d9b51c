"""The evaluator on a tiny saved model and random "test digits": consistent figures, and --write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from vae_core import evaluate
from vae_core.checkpoint import load_model, save_model
from vae_core.data import MNISTSplit, fixed_test_binarization
from vae_core.elbo import bernoulli_log_likelihood, iw_log_likelihood
from vae_core.model import VAE, VAEConfig

N_TEST = 300


def _test_split() -> MNISTSplit:
    g = torch.Generator().manual_seed(0)
    # grey levels pushed towards 0 and 1, like digits
    images = torch.sigmoid(6 * torch.randn(N_TEST, 784, generator=g))
    return MNISTSplit(images, torch.randint(0, 10, (N_TEST,), generator=g))


@pytest.fixture(autouse=True)
def random_test_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evaluate, "load_mnist", lambda train, data_dir=None, download=False: _test_split())


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A model whose z0 follows the input strongly and whose z1 ignores it (a collapsed unit)."""
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=2, hidden=(16,), activation="tanh"))
    last = model.encoder[-1]  # rows: mu0, mu1, logvar0, logvar1
    with torch.no_grad():
        last.weight[0] *= 20
        last.weight[1] = 0
        last.bias[1] = 0.3
    folder = tmp_path / "tiny"
    save_model(folder, model, {"training": {"epochs": 0}})
    return folder


def test_evaluate_reports_consistent_figures(model_dir: Path):
    m = evaluate.evaluate(model_dir, iw_samples=100, limit=200, batch=50, data_dir=None)
    assert m["n_test"] == 200 and m["iw_samples"] == 100
    assert m["test_elbo"] == pytest.approx(m["test_log_likelihood"] - m["test_kl"], abs=2e-3)
    assert m["test_kl"] == pytest.approx(sum(m["kl_per_dim"]), abs=2e-3)  # the KL is exact, not sampled
    # the IW bound is at least the ELBO on average: NLL <= -ELBO (slack for the one-sample ELBO's noise)
    assert m["test_nll"] <= -m["test_elbo"] + 0.1
    assert m["test_nll"] > 0


def test_an_autoencoder_gets_its_likelihood_at_mu_and_no_elbo_kl_or_nll(model_dir: Path):
    model, card = load_model(model_dir)
    save_model(model_dir, model, {"training": {"epochs": 0, "args": {"objective": "ae", "beta": 1.0}}})
    m = evaluate.evaluate(model_dir, iw_samples=50, limit=40, batch=40, data_dir=None)
    assert m["objective"] == "ae"
    assert m["test_elbo"] is m["test_kl"] is m["test_nll"] is m["kl_per_dim"] is m["iw_samples"] is None
    x = fixed_test_binarization(_test_split())[:40]
    expected = bernoulli_log_likelihood(model.decode_logits(model.encode(x).mu), x).mean().item()
    assert m["test_log_likelihood"] == pytest.approx(expected, abs=2e-3)
    assert m["active_units"] == 1  # z0 follows the input, z1 is constant


def test_the_iw_nll_on_fewer_digits_is_the_same_as_evaluating_only_those(model_dir: Path):
    few = evaluate.evaluate(model_dir, iw_samples=20, limit=50, batch=10, data_dir=None, iw_limit=20)
    only = evaluate.evaluate(model_dir, iw_samples=20, limit=20, batch=10, data_dir=None)
    assert few["n_test"] == 50 and few["iw_digits"] == 20 and "iw_digits" not in only
    assert few["test_nll"] == only["test_nll"]


def test_test_nll_is_minus_the_mean_iw_estimate(model_dir: Path):
    m = evaluate.evaluate(model_dir, iw_samples=50, limit=40, batch=40, data_dir=None)
    model, _ = load_model(model_dir)
    x = fixed_test_binarization(_test_split())[:40]
    iw = iw_log_likelihood(model, x, k=50, chunk=7, generator=torch.Generator().manual_seed(0))  # same seed
    assert m["test_nll"] == pytest.approx(-iw.mean().item(), abs=2e-3)


def test_active_units_count_dimensions_whose_posterior_mean_varies(model_dir: Path):
    m = evaluate.evaluate(model_dir, iw_samples=0, limit=None, batch=50, data_dir=None)
    model, _ = load_model(model_dir)
    with torch.no_grad():
        mu_variance = model.encode(fixed_test_binarization(_test_split())).mu.var(0)
    assert m["posterior_mean_variance"] == pytest.approx(mu_variance.tolist(), abs=1e-4)
    assert mu_variance[0] > evaluate.ACTIVE_MU_VARIANCE and mu_variance[1] == 0
    assert m["active_units"] == 1
    assert m["test_nll"] is None and m["n_test"] == N_TEST


def test_evaluate_is_reproducible(model_dir: Path):
    a = evaluate.evaluate(model_dir, iw_samples=20, limit=50, batch=10, data_dir=None)
    b = evaluate.evaluate(model_dir, iw_samples=20, limit=50, batch=10, data_dir=None)
    for m in (a, b):
        del m["eval_seconds"]
    assert a == b


def test_write_stores_metrics_in_the_card_and_the_model_still_loads(model_dir: Path, capsys):
    evaluate.main([str(model_dir), "--iw-samples", "20", "--limit", "50", "--batch", "25", "--write"])
    assert "test NLL" in capsys.readouterr().out
    card = json.loads((model_dir / "card.json").read_text())
    assert card["training"] == {"epochs": 0}  # what was there is kept
    assert card["metrics"]["n_test"] == 50 and card["metrics"]["iw_samples"] == 20
    _, loaded_card = load_model(model_dir)
    assert loaded_card["metrics"] == card["metrics"]
