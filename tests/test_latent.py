"""The vae_core operations the latent views rely on: the reported ELBO noise, shifts, traversals, samples."""

from __future__ import annotations

import torch

from vae_core.analysis import describe_digit
from vae_core.elbo import bernoulli_log_likelihood
from vae_core.latent import posterior_samples, prior_samples, shift, traversal
from vae_core.model import VAE, VAEConfig


def small_vae(latent_dim: int = 6) -> VAE:
    torch.manual_seed(0)
    return VAE(VAEConfig(latent_dim=latent_dim, hidden=(32,))).eval()


def test_describe_digit_reports_the_eps_and_z_its_log_likelihood_used() -> None:
    model, x = small_vae(), torch.rand(784)
    r = describe_digit(model, x, n_samples=0, seed=9)
    assert torch.equal(r.eps, torch.randn((1, 6), generator=torch.Generator().manual_seed(9))[0])
    assert torch.equal(r.z, r.mu + r.std * r.eps)
    with torch.no_grad():
        ll = bernoulli_log_likelihood(model.decode_logits(r.z.unsqueeze(0)), x.unsqueeze(0)).item()
    assert ll == r.log_likelihood
    assert r.elbo == (torch.tensor(r.log_likelihood) - torch.tensor(r.kl)).item()  # float32, like vae_core


def test_describe_digit_eps_depends_on_the_seed_only() -> None:
    model = small_vae()
    a = describe_digit(model, torch.rand(784), n_samples=0, seed=1)
    b = describe_digit(model, torch.rand(784), n_samples=0, seed=1)
    c = describe_digit(model, torch.rand(784), n_samples=0, seed=2)
    assert torch.equal(a.eps, b.eps)
    assert not torch.equal(a.eps, c.eps)


def test_posterior_samples_at_scale_zero_are_all_the_mean() -> None:
    mu, std = torch.randn(5), torch.rand(5) + 0.1
    z = posterior_samples(mu, std, 16, scale=0.0, seed=3)
    assert torch.equal(z, mu.repeat(16, 1))
    assert not torch.equal(posterior_samples(mu, std, 16, scale=1.0, seed=3), z)


def test_shift_moves_each_coordinate_by_its_offset_in_its_unit() -> None:
    mu, unit = torch.tensor([0.0, 1.0, -1.0]), torch.tensor([0.5, 2.0, 1.0])
    assert torch.equal(shift(mu, unit, torch.zeros(3)), mu.unsqueeze(0))
    assert torch.allclose(shift(mu, unit, torch.tensor([1.0, -1.0, 3.0])), torch.tensor([[0.5, -1.0, 2.0]]))


def test_traversal_moves_one_dim_per_row_block_in_the_given_order() -> None:
    mu, unit = torch.zeros(4), torch.tensor([1.0, 2.0, 3.0, 4.0])
    offsets = torch.arange(-3.0, 4.0)
    codes = traversal(mu, unit, [2, 0], offsets)
    assert codes.shape == (14, 4)
    assert torch.equal(codes[:7, 2], offsets * 3.0) and torch.equal(codes[7:, 0], offsets * 1.0)
    assert torch.count_nonzero(codes[:7, [0, 1, 3]]) == 0 and torch.count_nonzero(codes[7:, 1:]) == 0


def test_prior_samples_are_reproducible_and_scale_with_temperature() -> None:
    a = prior_samples(8, 3, temperature=1.0, seed=4)
    assert torch.equal(prior_samples(8, 3, temperature=1.0, seed=4), a)
    assert torch.allclose(prior_samples(8, 3, temperature=0.5, seed=4), 0.5 * a)
