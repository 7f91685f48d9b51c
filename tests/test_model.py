"""The network: shapes, the reparameterization trick and the config saved in every card."""

from __future__ import annotations

import pytest
import torch

from vae_core.model import IMAGE_PIXELS, VAE, VAEConfig


@pytest.fixture
def model() -> VAE:
    torch.manual_seed(0)
    return VAE(VAEConfig(latent_dim=3, hidden=(16, 8), activation="tanh"))


def test_encode_gives_mean_logvar_and_std_of_latent_size(model: VAE):
    q = model.encode(torch.rand(5, 784))
    assert q.mu.shape == q.logvar.shape == q.std.shape == (5, 3)
    torch.testing.assert_close(q.std, torch.exp(0.5 * q.logvar))


def test_encode_accepts_images_as_well_as_flat_vectors(model: VAE):
    x = torch.rand(4, 28, 28)
    torch.testing.assert_close(model.encode(x).mu, model.encode(x.reshape(4, 784)).mu)


def test_decode_gives_pixel_probabilities_and_logits_for_any_leading_shape(model: VAE):
    z = torch.randn(6, 3)
    probs = model.decode(z)
    assert probs.shape == (6, IMAGE_PIXELS)
    assert ((probs >= 0) & (probs <= 1)).all()
    torch.testing.assert_close(probs, torch.sigmoid(model.decode_logits(z)))
    assert model.decode_logits(torch.randn(2, 6, 3)).shape == (2, 6, IMAGE_PIXELS)


def test_layers_follow_the_config(model: VAE):
    linear = [m for m in model.encoder if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [(784, 16), (16, 8), (8, 6)]
    linear = [m for m in model.decoder if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [(3, 8), (8, 16), (16, 784)]
    assert sum(isinstance(m, torch.nn.Tanh) for m in model.decoder) == 2  # none after the output layer


def test_reparameterize_gives_mu_when_eps_is_zero():
    mu, logvar = torch.randn(4, 3), torch.randn(4, 3)
    assert torch.equal(VAE.reparameterize(mu, logvar, torch.zeros(4, 3)), mu)


def test_reparameterize_is_mu_plus_sigma_eps_and_differentiable_in_mu_and_logvar():
    mu = torch.randn(4, 3, requires_grad=True)
    logvar = torch.randn(4, 3, requires_grad=True)
    eps = torch.randn(4, 3)
    z = VAE.reparameterize(mu, logvar, eps)
    torch.testing.assert_close(z, mu + torch.exp(0.5 * logvar) * eps)
    z.sum().backward()
    torch.testing.assert_close(mu.grad, torch.ones(4, 3))  # dz/dmu = 1
    torch.testing.assert_close(logvar.grad, 0.5 * torch.exp(0.5 * logvar.detach()) * eps)  # dz/dlogvar


def test_reparameterize_draws_fresh_noise_without_eps():
    torch.manual_seed(1)
    z = VAE.reparameterize(torch.zeros(20000, 1), torch.full((20000, 1), 2 * torch.log(torch.tensor(3.0))))
    assert z.mean().abs() < 0.1
    assert z.std().item() == pytest.approx(3.0, rel=0.05)


def test_config_round_trips_through_to_dict_and_from_dict():
    config = VAEConfig(latent_dim=5, hidden=(32, 16), activation="relu")
    d = config.to_dict()
    assert d == {"latent_dim": 5, "hidden": [32, 16], "activation": "relu", "input_dim": 784}
    assert VAEConfig.from_dict(d) == config
    assert VAEConfig.from_dict({"latent_dim": 2, "hidden": [8]}) == VAEConfig(2, (8,))  # defaults fill the rest


def test_config_from_dict_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown config keys.*dropout"):
        VAEConfig.from_dict({"latent_dim": 2, "hidden": [8], "dropout": 0.1})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"latent_dim": 0, "hidden": (8,)},
        {"latent_dim": -1, "hidden": (8,)},
        {"latent_dim": 2, "hidden": ()},
        {"latent_dim": 2, "hidden": (8, 0)},
        {"latent_dim": 2, "hidden": (8,), "activation": "swish"},
    ],
)
def test_config_rejects_bad_sizes_and_unknown_activations(kwargs):
    with pytest.raises(ValueError):
        VAEConfig(**kwargs)
    with pytest.raises(ValueError):
        VAEConfig.from_dict({k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()})
