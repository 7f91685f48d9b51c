"""The small latent-space helpers behind the Interpolate, Manifold and Latent map views."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vae_core.analysis import interpolation_strip, top_kl_dims
from vae_core.latent import group_by_label
from vae_core.model import VAE, VAEConfig
from vae_core.render import decode_images


@pytest.fixture(scope="module")
def tiny_vae() -> VAE:
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=3, hidden=(32,)))
    model.eval()
    return model


def test_group_by_label_partitions_the_examples_by_class():
    labels = torch.tensor([3, 1, 3, 0, 9, 1], dtype=torch.uint8)
    groups = group_by_label(labels)
    assert len(groups) == 10
    assert groups[3].tolist() == [0, 2] and groups[1].tolist() == [1, 5] and groups[2].tolist() == []
    assert sorted(torch.cat(groups).tolist()) == list(range(len(labels)))


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
