"""vae_core.latent: the codes the views decode -- posterior and prior samples, shifts, traversals -- and
grouping examples by label."""

from __future__ import annotations

import torch

from vae_core.latent import group_by_label, posterior_samples, prior_samples, shift, traversal


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


def test_group_by_label_partitions_the_examples_by_class():
    labels = torch.tensor([3, 1, 3, 0, 9, 1], dtype=torch.uint8)
    groups = group_by_label(labels)
    assert len(groups) == 10
    assert groups[3].tolist() == [0, 2] and groups[1].tolist() == [1, 5] and groups[2].tolist() == []
    assert sorted(torch.cat(groups).tolist()) == list(range(len(labels)))
