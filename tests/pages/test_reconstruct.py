"""AppTest checks of the Reconstruct page: the numbers shown are vae_core's own for the same digit and seed,
and its controls change the right pictures."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.apptest import (
    MODELS,
    current_report,
    image_url,
    loaded_model,
    mount_data,
    open_page,
    report_metrics,
    shown_metrics,
)
from vae_core.analysis import active_dims, describe_digit
from vae_core.render import decode_images
from views import state_keys
from views.pages import reconstruct


@pytest.mark.parametrize("model", MODELS)
def test_reconstruct_metrics_equal_describe_digit(model: str) -> None:
    at = open_page("reconstruct", model)
    assert shown_metrics(at) == report_metrics(current_report(at), decimals=2)


@pytest.mark.parametrize("model", MODELS)
def test_reconstruct_kl_table_lists_every_dim_largest_first_with_its_numbers(model: str) -> None:
    at = open_page("reconstruct", model)
    r = current_report(at)
    (table,) = at.main.table
    rows = table.value  # a DataFrame of the cells' text
    order, active = active_dims(r.kl_per_dim)
    assert rows["dim"].tolist() == [f"z{d}" for d in order.tolist()]
    assert rows["KL (nats)"].tolist() == [f"{r.kl_per_dim[d].item():.3f}" for d in order.tolist()]
    assert rows["mu"].tolist() == [f"{r.mu[d].item():+.3f}" for d in order.tolist()]
    colours = [cell.split("[", 1)[0] for cell in rows[""]]
    assert colours == [":blue" if a else ":gray" for a in active.tolist()]


def test_kl_bar_is_as_long_as_its_share_of_the_largest() -> None:
    assert reconstruct.kl_bar(2.0, 2.0) == "█" * reconstruct.BAR_CHARACTERS
    assert reconstruct.kl_bar(1.0, 2.0) == "█" * (reconstruct.BAR_CHARACTERS // 2)
    assert reconstruct.kl_bar(2.0 / 80, 2.0) == "▏"  # an eighth of a character
    assert reconstruct.kl_bar(0.0, 2.0) == reconstruct.kl_bar(0.0, 0.0) == ""


def test_reconstruct_sample_slider_changes_the_decoded_samples() -> None:
    at = open_page("reconstruct", "mnist-z20")
    samples, reconstruction = image_url(at, "decoder means at z ~ q"), image_url(at, "reconstruction")
    at.slider(key="recon_samples").set_value(7).run()
    assert image_url(at, "decoder means at z ~ q") != samples
    assert image_url(at, "reconstruction") == reconstruction


def test_reconstruct_seed_changes_the_numbers_like_describe_digit() -> None:
    at = open_page("reconstruct", "mnist-z20")
    before = at.metric[1].value
    at.number_input(key=state_keys.SEED).set_value(7).run()
    assert at.metric[1].value == f"{current_report(at).log_likelihood:.2f}"
    assert at.metric[1].value != before  # the one-sample log p(x|z) depends on the noise


def test_the_live_strip_decodes_the_servers_draws_for_every_count() -> None:
    """The live strip's data (live.js mode 'count'): for each count k, mu + sigma * eps[k] are the very codes whose
    decodings describe_digit shows as k stochastic reconstructions, and widths[k] is how wide show_grid shows them.
    The posterior is the current digit's, with its name for the text alternative."""
    at = open_page("reconstruct", "mnist-z20")
    data, r, model = mount_data(at, "live_recon_strip"), current_report(at), loaded_model(at).model
    assert (data["mode"], data["key"], data["n"]) == ("count", "recon_samples", None)  # n follows the value
    posterior = data["posterior"]
    assert posterior["mu"] == pytest.approx(r.mu.tolist()) and posterior["std"] == pytest.approx(r.std.tolist())
    assert posterior["name"] == "a handwritten 4" and "{name}" in data["alt"]
    for k in (1, 5, 8):
        mu, std = torch.tensor(posterior["mu"]), torch.tensor(posterior["std"])
        codes = mu + std * torch.tensor(data["eps"][str(k)]).reshape(k, -1)
        assert np.array_equal(decode_images(model, codes), describe_digit(model, r.x, n_samples=k, seed=0).samples)
        assert data["widths"][str(k)] == reconstruct.strip_width(k)
