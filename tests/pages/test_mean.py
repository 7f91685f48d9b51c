"""AppTest checks of the Mean perturbation page: one slider per latent dimension, ordered by KL, and the
perturbed picture follows them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.apptest import MODELS, current_report, image_picture, image_url, loaded_model, open_page, picture
from vae_core.analysis import active_dims
from views.controls import MEAN_UNIT, POSTERIOR_UNIT
from views.pages import mean


@pytest.mark.parametrize("model", MODELS)
def test_mean_sliders_are_ordered_by_kl_and_mark_inactive_dims(model: str) -> None:
    at = open_page("mean", model)
    r = current_report(at)
    order, active = active_dims(r.kl_per_dim)
    sliders = [s for s in at.slider if s.key.startswith("mean_shift_")]
    assert [s.key for s in sliders] == [mean.SLIDER_KEY.format(d) for d in order.tolist()]
    for s, d, is_active in zip(sliders, order.tolist(), active.tolist()):
        assert s.label == mean.slider_label(d, r.kl_per_dim[d].item(), is_active)
        assert s.label.startswith(f"z{d} · KL {r.kl_per_dim[d]:.2f}")
        assert s.label.endswith("· inactive") != is_active


@pytest.mark.parametrize("model", MODELS)
def test_mean_slider_changes_the_perturbed_image_and_reset_restores_it(model: str) -> None:
    at = open_page("mean", model)
    top = active_dims(current_report(at).kl_per_dim)[0][0].item()
    unperturbed = image_url(at, "perturbed")
    reconstruction = image_url(at, "unperturbed")
    at.slider(key=mean.SLIDER_KEY.format(top)).set_value(2.5).run()
    assert image_url(at, "perturbed") != unperturbed
    assert image_url(at, "unperturbed") == reconstruction
    at.button(key="mean_reset").click().run()
    assert at.slider(key=mean.SLIDER_KEY.format(top)).value == 0.0
    assert image_url(at, "perturbed") == unperturbed


def test_mean_perturbed_image_at_zero_offsets_is_the_reconstruction() -> None:
    at = open_page("mean", "mnist-z20")
    assert image_url(at, "perturbed") == image_url(at, "unperturbed")  # same bytes; shown at two sizes


def test_mean_unit_radio_changes_the_traversal_table() -> None:
    at = open_page("mean", "mnist-z20")
    before = image_url(at, "traversal table")
    at.radio(key="mean_unit").set_value(mean.POSTERIOR_UNIT).run()
    assert not at.exception
    assert image_url(at, "traversal table") != before


def test_mean_traversal_table_from_the_shared_cache_is_computes_for_each_unit_and_digit() -> None:
    """The page takes the table from a cache shared by every session (mean.shared_table): it must be the one
    `compute` makes for the digit and unit shown, whatever other sessions and digits came before."""
    at = open_page("mean", "mnist-z20")
    for act in (lambda: None, lambda: at.radio(key=MEAN_UNIT.key).set_value(POSTERIOR_UNIT).run(),
                lambda: at.button(key="class_7").click().run()):
        act()
        r, lm = current_report(at), loaded_model(at)
        posterior = at.radio(key=MEAN_UNIT.key).value == POSTERIOR_UNIT
        expected = mean.compute(lm.model, r, torch.zeros(lm.latent_dim), posterior).table
        shown = np.asarray(picture(image_picture(at, "traversal table").src))
        assert np.array_equal(shown, expected)
