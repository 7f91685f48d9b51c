"""The objective: closed-form KL, Bernoulli likelihood, ELBO terms and the importance-weighted log p(x)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

from vae_core.elbo import (
    bernoulli_log_likelihood,
    elbo_terms,
    iw_log_likelihood,
    kl_per_dim,
    objective_terms,
)
from vae_core.model import VAE, VAEConfig

# A model small enough to integrate exactly: one latent dimension and 24 "pixels".
PIXELS = 24
Z_GRID = torch.linspace(-10.0, 10.0, 20001, dtype=torch.float64)  # dz = 1e-3


def test_kl_per_dim_matches_torch_distributions_including_extreme_logvar():
    g = torch.Generator().manual_seed(0)
    mu = 3 * torch.randn(200, 5, generator=g, dtype=torch.float64)
    logvar = 40 * torch.rand(200, 5, generator=g, dtype=torch.float64) - 20
    logvar[0] = torch.tensor([-50.0, -30.0, 0.0, 30.0, 50.0], dtype=torch.float64)
    expected = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(0.0, 1.0))
    got = kl_per_dim(mu, logvar)
    assert got.shape == mu.shape
    torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(got.sum(-1), expected.sum(-1), rtol=1e-10, atol=1e-10)


def test_kl_per_dim_is_zero_at_the_prior_and_finite_in_float32():
    assert torch.equal(kl_per_dim(torch.zeros(3, 4), torch.zeros(3, 4)), torch.zeros(3, 4))
    logvar = torch.tensor([[-30.0, -10.0, 10.0, 30.0]])
    kl = kl_per_dim(torch.zeros_like(logvar), logvar)
    assert torch.isfinite(kl).all() and (kl > 0).all()
    torch.testing.assert_close(kl, kl_divergence(Normal(0.0, torch.exp(0.5 * logvar)), Normal(0.0, 1.0)))


def test_bernoulli_log_likelihood_is_the_log_of_the_pmf_for_moderate_logits():
    g = torch.Generator().manual_seed(1)
    logits = 16 * torch.rand(7, 20, generator=g, dtype=torch.float64) - 8
    x = torch.bernoulli(torch.full((7, 20), 0.3, dtype=torch.float64), generator=g)
    p = torch.sigmoid(logits)
    pmf = torch.where(x == 1, p, 1 - p).prod(-1)  # 20 pixels: small but far from underflow in float64
    got = bernoulli_log_likelihood(logits, x)
    assert got.shape == (7,)
    torch.testing.assert_close(got, torch.log(pmf), rtol=1e-10, atol=1e-10)


def test_bernoulli_log_likelihood_stays_finite_for_saturated_logits():
    x = torch.tensor([[1.0, 0.0, 1.0, 0.0]])
    logits = torch.tensor([[100.0, -100.0, -100.0, 100.0]])  # two right, two confidently wrong
    got = bernoulli_log_likelihood(logits, x)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, torch.tensor([-200.0]))
    right = bernoulli_log_likelihood(torch.tensor([[100.0, -100.0]]), torch.tensor([[1.0, 0.0]]))
    assert right.item() == pytest.approx(0.0, abs=1e-30)


def test_bernoulli_log_likelihood_gradient_is_x_minus_sigmoid_everywhere():
    logits = torch.tensor([[-100.0, -17.0, -1.0, 0.0, 0.0, 1.0, 17.0, 100.0]], requires_grad=True)
    x = torch.tensor([[0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0]])
    (grad,) = torch.autograd.grad(bernoulli_log_likelihood(logits, x).sum(), logits)
    torch.testing.assert_close(grad, x - torch.sigmoid(logits.detach()))  # at logit 0 too: 0.5 and -0.5
    torch.testing.assert_close(
        bernoulli_log_likelihood(logits.detach(), x),
        -F.binary_cross_entropy_with_logits(logits.detach(), x, reduction="none").sum(-1),
    )


def test_bernoulli_log_likelihood_passes_gradcheck_in_both_arguments_and_broadcasts():
    g = torch.Generator().manual_seed(4)
    logits = (6 * torch.randn(3, 5, 7, generator=g, dtype=torch.float64)).requires_grad_()
    x = torch.rand(5, 7, generator=g, dtype=torch.float64).requires_grad_()  # one x for 3 samples of z
    assert torch.autograd.gradcheck(bernoulli_log_likelihood, (logits, x))
    assert bernoulli_log_likelihood(logits, x).shape == (3, 5)


def test_elbo_terms_elbo_is_log_likelihood_minus_kl():
    torch.manual_seed(2)
    model = VAE(VAEConfig(latent_dim=3, hidden=(16,), activation="tanh"))
    x = torch.bernoulli(torch.rand(9, 784))
    t = elbo_terms(model, x)
    assert t.elbo.shape == t.log_likelihood.shape == t.kl.shape == (9,)
    assert t.kl_per_dim.shape == t.mu.shape == t.logvar.shape == (9, 3)
    torch.testing.assert_close(t.elbo, t.log_likelihood - t.kl)
    torch.testing.assert_close(t.kl, t.kl_per_dim.sum(-1))
    eps = torch.zeros(9, 3)  # z = mu: the likelihood term is the decoder at the posterior mean
    t0 = elbo_terms(model, x, eps)
    torch.testing.assert_close(t0.log_likelihood, bernoulli_log_likelihood(model.decode_logits(t0.mu), x))


def test_beta_weights_the_kl_in_the_objective_only():
    torch.manual_seed(2)
    model = VAE(VAEConfig(latent_dim=3, hidden=(16,), activation="tanh"))
    x, eps = torch.bernoulli(torch.rand(9, 784)), torch.randn(9, 3)
    warm, full = elbo_terms(model, x, eps, beta=0.25), elbo_terms(model, x, eps)
    torch.testing.assert_close(warm.objective, warm.log_likelihood - 0.25 * warm.kl)
    torch.testing.assert_close(warm.elbo, full.elbo)  # the ELBO does not depend on beta
    torch.testing.assert_close(full.objective, full.elbo)
    torch.testing.assert_close(warm.std, torch.exp(0.5 * warm.logvar))


def test_objective_terms_ae_is_the_likelihood_at_mu_without_kl_or_sampling_and_vae_weights_the_kl_by_beta():
    torch.manual_seed(2)
    model = VAE(VAEConfig(latent_dim=3, hidden=(16,), activation="tanh"))
    x = torch.bernoulli(torch.rand(9, 784))
    ae, again = objective_terms(model, x, "ae"), objective_terms(model, x, "ae")
    at_mu = bernoulli_log_likelihood(model.decode_logits(model.encode(x).mu), x)
    torch.testing.assert_close(ae.objective, at_mu)
    torch.testing.assert_close(ae.log_likelihood, at_mu)
    torch.testing.assert_close(again.objective, ae.objective)  # no sampling: the same every call
    assert (ae.kl == math.inf).all() and (ae.kl_per_dim == math.inf).all() and (ae.elbo == -math.inf).all()
    assert (ae.std == 0).all()
    point = VAE(model.config, point_code=True)  # the same network loaded as an autoencoder: sigma 0, infinite KL
    point.load_state_dict(model.state_dict())
    t = elbo_terms(point, x)
    torch.testing.assert_close(t.log_likelihood, at_mu)
    assert (t.std == 0).all() and (t.kl == math.inf).all() and (t.elbo == -math.inf).all()
    ae.objective.sum().backward()  # the log-variance half of the encoder's last layer gets no gradient
    grad = model.encoder[-1].weight.grad
    assert grad[3:].abs().max() == 0 and grad[:3].abs().max() > 0

    torch.manual_seed(5)
    beta4 = objective_terms(model, x, "vae", beta=4.0)
    torch.testing.assert_close(beta4.objective, beta4.log_likelihood - 4.0 * beta4.kl)
    with pytest.raises(ValueError, match="objective must be one of"):
        objective_terms(model, x, "gan")


# --- importance-weighted log p(x) against numerical integration ------------------------------------------


def _one_latent_model() -> tuple[VAE, torch.Tensor]:
    """A float64 VAE with a 1-D latent, and four binary vectors drawn from its decoder."""
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=1, hidden=(8,), activation="tanh", input_dim=PIXELS)).double().eval()
    z0 = torch.tensor([[-1.5], [-0.5], [0.5], [1.5]], dtype=torch.float64)
    with torch.no_grad():
        x = torch.bernoulli(model.decode(z0), generator=torch.Generator().manual_seed(0))
    return model, x


def _exact_log_px_and_posterior(model: VAE, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """log p(x) = log of the integral of p(x|z) p(z) dz on a fine grid, with the posterior's mean and std."""
    with torch.no_grad():
        logits = model.decode_logits(Z_GRID.unsqueeze(1)).unsqueeze(1)  # (G, 1, P)
    log_px_z = (x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)).sum(-1)  # (G, B)
    log_joint = log_px_z - 0.5 * (math.log(2 * math.pi) + Z_GRID.unsqueeze(1) ** 2)
    dz = (Z_GRID[1] - Z_GRID[0]).item()
    log_px = torch.logsumexp(log_joint, 0) + math.log(dz)
    posterior = torch.exp(log_joint - log_px) * dz
    mean = (posterior * Z_GRID.unsqueeze(1)).sum(0)
    std = ((posterior * Z_GRID.unsqueeze(1) ** 2).sum(0) - mean**2).sqrt()
    return log_px, mean, std


def _set_encoder_output(model: VAE, mu: float, std: float) -> None:
    """Make q(z|x) = N(mu, std^2) for every x: deliberately not the true posterior."""
    last = model.encoder[-1]
    with torch.no_grad():
        last.weight.zero_()
        last.bias.copy_(torch.tensor([mu, 2 * math.log(std)], dtype=last.bias.dtype))


def test_iw_estimate_with_5000_samples_matches_numerical_integration():
    model, x = _one_latent_model()
    log_px, post_mean, post_std = _exact_log_px_and_posterior(model, x)
    for i in range(x.shape[0]):
        # q is off by half a posterior std in its mean and 30 % too wide
        _set_encoder_output(model, post_mean[i].item() + 0.5 * post_std[i].item(), 1.3 * post_std[i].item())
        xi = x[i : i + 1]
        torch.manual_seed(i)
        elbo = elbo_terms(model, xi.repeat(2000, 1)).elbo.mean()
        assert elbo < log_px[i] - 0.05  # the one-sample bound is visibly loose for this q
        estimate = iw_log_likelihood(model, xi, k=5000, generator=torch.Generator().manual_seed(i))
        assert estimate.item() == pytest.approx(log_px[i].item(), abs=0.05)


def test_iw_estimate_rises_toward_log_px_as_k_grows_and_equals_the_elbo_at_k1():
    model, x = _one_latent_model()
    log_px, post_mean, post_std = _exact_log_px_and_posterior(model, x)
    repeats = {1: 2000, 10: 1000, 100: 1000, 5000: 30}
    means = {k: [] for k in repeats}
    k1_minus_elbo, k1_minus_elbo_var = 0.0, 0.0
    for i in range(x.shape[0]):
        # q far enough off (2.5 posterior stds, 1.5 x too wide) that the gaps between k dwarf the noise
        _set_encoder_output(model, post_mean[i].item() + 2.5 * post_std[i].item(), 1.5 * post_std[i].item())
        for k, n in repeats.items():
            xs = x[i : i + 1].repeat(n, 1)  # n independent estimates of the same digit
            est = iw_log_likelihood(model, xs, k=k, generator=torch.Generator().manual_seed(100 * i + k))
            means[k].append(est.mean().item())
            if k == 1:
                torch.manual_seed(i)
                elbo = elbo_terms(model, xs).elbo.detach()
                k1_minus_elbo += est.mean().item() - elbo.mean().item()
                k1_minus_elbo_var += est.var().item() / n + elbo.var().item() / n
    avg = {k: sum(v) / len(v) for k, v in means.items()}
    exact = log_px.mean().item()
    assert avg[1] < avg[10] < avg[100] < avg[5000] < exact + 0.05, (avg, exact)
    # E[IW_1] is the ELBO (the Monte Carlo KL vs the closed form): equal within 4 standard errors
    n_x = x.shape[0]
    assert abs(k1_minus_elbo / n_x) < 4 * math.sqrt(k1_minus_elbo_var) / n_x


def test_iw_log_likelihood_does_not_depend_on_the_chunk_size():
    torch.manual_seed(3)
    model = VAE(VAEConfig(latent_dim=3, hidden=(8,), activation="tanh"))
    x = torch.bernoulli(torch.rand(5, 784))
    one_chunk = iw_log_likelihood(model, x, k=100, chunk=100, generator=torch.Generator().manual_seed(7))
    for chunk in (1, 7, 33):
        chunked = iw_log_likelihood(model, x, k=100, chunk=chunk, generator=torch.Generator().manual_seed(7))
        torch.testing.assert_close(chunked, one_chunk, rtol=0, atol=1e-4)
    other_seed = iw_log_likelihood(model, x, k=100, chunk=100, generator=torch.Generator().manual_seed(8))
    assert not torch.allclose(other_seed, one_chunk, rtol=0, atol=1e-4)  # the comparison above has teeth
