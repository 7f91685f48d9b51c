"""vae_core.analysis: describe_digit's account of one digit (the eps and z behind its one-sample terms), the
top-KL dimensions, and interpolation strips."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vae_core.analysis import describe_digit, elbo_of_each, elbo_spread, interpolation_strip, top_kl_dims
from vae_core.elbo import bernoulli_log_likelihood
from vae_core.model import VAE, VAEConfig
from vae_core.render import decode_images


def small_vae(latent_dim: int = 6) -> VAE:
    torch.manual_seed(0)
    return VAE(VAEConfig(latent_dim=latent_dim, hidden=(32,))).eval()


@pytest.fixture(scope="module")
def tiny_vae() -> VAE:
    return small_vae(latent_dim=3)


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


def test_top_kl_dims_are_the_largest_first():
    assert top_kl_dims(torch.tensor([0.1, 3.0, 0.0, 2.0, 2.5])) == [1, 4]
    assert top_kl_dims(torch.tensor([0.1, 3.0, 0.0]), k=3) == [1, 0, 2]


@pytest.mark.parametrize("method", ["linear", "slerp"])
def test_interpolation_strip_starts_and_ends_at_the_decoded_endpoints(tiny_vae, method):
    a, b = torch.tensor([1.0, -0.5, 0.2]), torch.tensor([-0.3, 1.2, 0.8])
    strip = interpolation_strip(tiny_vae, a, b, steps=7, method=method)
    assert strip.codes.shape == (7, 3) and strip.frames.shape == strip.crossfade.shape == (7, 28, 28)
    assert torch.allclose(strip.codes[0], a, atol=1e-6) and torch.allclose(strip.codes[-1], b, atol=1e-6)
    # one batched decode may differ from a single-code decode in the last float bit: at most one grey level
    for frame, code in ((strip.frames[0], a), (strip.frames[-1], b)):
        assert np.abs(frame.astype(int) - decode_images(tiny_vae, code)[0].astype(int)).max() <= 1


def test_interpolation_strip_crossfade_blends_the_end_frames_pixel_by_pixel(tiny_vae):
    strip = interpolation_strip(tiny_vae, torch.zeros(3), torch.ones(3) * 2, steps=3)
    assert np.array_equal(strip.crossfade[0], strip.frames[0])
    assert np.array_equal(strip.crossfade[-1], strip.frames[-1])
    middle = (strip.frames[0].astype(float) + strip.frames[-1].astype(float)) / 2
    assert np.abs(strip.crossfade[1] - middle).max() <= 1


def test_elbo_of_each_matches_describe_digit_for_every_row() -> None:
    model = small_vae()
    x = torch.rand(5, 784)
    elbos = elbo_of_each(model, x, seed=3, batch=2)  # batches of 2: the batching must not change a figure
    for i in range(5):
        assert elbos[i].item() == pytest.approx(describe_digit(model, x[i], n_samples=0, seed=3).elbo, abs=1e-4)


def test_elbo_spread_gives_quantiles_the_share_below_and_class_means() -> None:
    spread = elbo_spread(np.array([-90.0, -100.0, -80.0, -110.0]), np.array([1, 2, 1, 2]))
    assert spread.mean == -95.0 and spread.quantile(0.5) == -95.0
    assert spread.share_below(-85.0) == 0.75 and spread.share_below(-120.0) == 0.0
    assert spread.class_means == {1: -85.0, 2: -105.0}
