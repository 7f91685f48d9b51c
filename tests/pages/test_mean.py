"""AppTest checks of the Mean perturbation page: one slider per latent dimension, ordered by KL, and the
perturbed picture follows them; the traversal table is an HTML table of pictures with text headers."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from tests.apptest import (
    MODELS,
    current_digit,
    current_report,
    frames_data,
    image_url,
    loaded_model,
    mount_data,
    open_page,
    picture,
    pictures,
    send_trigger,
)
from vae_core.analysis import active_dims
from views.controls import MEAN_UNIT, MEAN_UNITS, POSTERIOR_UNIT
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


def test_the_live_reset_sends_every_offset_to_zero_and_releases_them_in_one_rerun() -> None:
    """The live Reset (views.live.live_reset) holds every offset slider of the page at 0; its release sets them
    all in one rerun and drops what is not an offset slider."""
    at = open_page("mean", "mnist-z20")
    top, second = active_dims(current_report(at).kl_per_dim)[0][:2].tolist()
    unperturbed = image_url(at, "perturbed")
    keys = [mean.SLIDER_KEY.format(d) for d in range(20)]
    assert mount_data(at, "live_mean_reset")["values"] == dict.fromkeys(keys, 0.0)
    for d in (top, second):
        at.slider(key=mean.SLIDER_KEY.format(d)).set_value(1.5).run()
    send_trigger(at, "live_mean_reset", "release", {**dict.fromkeys(keys, 0.0), "seed": 7})
    assert [at.slider(key=k).value for k in keys] == [0.0] * 20
    assert image_url(at, "perturbed") == unperturbed
    assert at.number_input(key="seed").value == 0


def test_mean_perturbed_image_at_zero_offsets_is_the_reconstruction() -> None:
    at = open_page("mean", "mnist-z20")
    assert image_url(at, "perturbed") == image_url(at, "unperturbed")  # same bytes; shown at two sizes


def traversal_cells(at) -> dict[str, str]:
    """The traversal table's pictures, by text alternative ("... decoded with z3 moved +2 prior sigma ...")."""
    return {p.alt: p.src for p in pictures(at.main) if " decoded with z" in p.alt}


def test_mean_traversal_table_is_text_headers_around_one_picture_per_dimension_and_offset() -> None:
    at = open_page("mean", "mnist-z20")
    r = current_report(at)
    dims = active_dims(r.kl_per_dim)[0].tolist()
    [table] = [h.proto.body for h in at.main.get("html") if "<table>" in h.proto.body]
    headers = re.findall(r'<th scope="(col|row)">([^<]*)</th>', table)
    assert headers == ([("col", "offset")] + [("col", f"{o:+g}") for o in mean.OFFSETS.tolist()]
                       + [("row", f"z{d}") for d in dims])  # real text, read with each cell and enlarged on a projector
    cells = traversal_cells(at)
    assert len(cells) == len(dims) * len(mean.OFFSETS)
    name, unit = current_digit(at).name, mean.MEAN_UNITS[0]
    expected = mean.traversal_table(loaded_model(at).model, r.mu, torch.ones_like(r.std), dims)
    for row, d in enumerate(dims):
        for col, offset in enumerate(mean.OFFSETS.tolist()):
            src = cells[f"{name} decoded with z{d} moved {offset:+g} {unit}"]
            assert np.array_equal(np.asarray(picture(src)), expected[row, col])
    assert np.array_equal(expected[:, 3], np.repeat(expected[:1, 3], len(dims), 0))  # offset 0: mu, in every row


def test_mean_unit_radio_changes_the_traversal_table() -> None:
    at = open_page("mean", "mnist-z20")
    before = set(traversal_cells(at).values())
    at.radio(key="mean_unit").set_value(mean.POSTERIOR_UNIT).run()
    assert not at.exception
    after = traversal_cells(at)
    assert all(alt.endswith(mean.POSTERIOR_UNIT) for alt in after) and set(after.values()) != before


def test_mean_traversal_table_from_the_shared_cache_is_computes_for_each_unit_and_digit() -> None:
    """The page takes the table from a cache shared by every session (mean.shared_table): it must be the one
    `compute` makes for the digit and unit shown, whatever other sessions and digits came before."""
    at = open_page("mean", "mnist-z20")
    for act in (lambda: None, lambda: at.radio(key=MEAN_UNIT.key).set_value(POSTERIOR_UNIT).run(),
                lambda: at.button(key="class_7").click().run()):
        act()
        r, lm = current_report(at), loaded_model(at)
        unit = at.radio(key=MEAN_UNIT.key).value
        expected = mean.compute(lm.model, r, torch.zeros(lm.latent_dim), unit == POSTERIOR_UNIT)
        cells, name = traversal_cells(at), current_digit(at).name
        assert len(cells) == expected.table.shape[0] * expected.table.shape[1]
        for row, d in enumerate(expected.dims):
            for col, offset in enumerate(mean.OFFSETS.tolist()):
                src = cells[f"{name} decoded with z{d} moved {offset:+g} {unit}"]
                assert np.array_equal(np.asarray(picture(src)), expected.table[row, col])


def test_the_live_unit_choice_holds_the_table_and_the_step_of_each_unit() -> None:
    """Mean's unit is a live choice: the live table holds the traversal table in each unit exactly as the server
    draws it for that unit, and the live picture holds the other unit's step; a release sets the radio, and a
    label that is not a unit (which only a browser could send) changes nothing."""
    at = open_page("mean", "mnist-z2")
    prior = at.radio(key=MEAN_UNIT.key).value
    tables = frames_data(at, "live_mean_table")
    assert set(tables) == set(MEAN_UNITS)
    served = [h.proto.body for h in at.main.get("html") if "<table>" in h.proto.body]
    assert served == [tables[prior]]  # the server's table, for a browser without the script: the same HTML
    variants = mount_data(at, "live_mean_picture")["variants"][MEAN_UNIT.key]
    assert variants == {"value": prior, "held": {POSTERIOR_UNIT: {"unit": "std", "words": {"unit": POSTERIOR_UNIT}}}}
    send_trigger(at, "live_mean_unit", "release", {MEAN_UNIT.key: POSTERIOR_UNIT})
    assert at.radio(key=MEAN_UNIT.key).value == POSTERIOR_UNIT
    assert frames_data(at, "live_mean_table") == tables
    assert mount_data(at, "live_mean_picture")["unit"] == "std"
    at.radio(key=MEAN_UNIT.key).set_value(prior).run()  # the server's table in the other unit: the held one
    at_posterior = open_page("mean", "mnist-z2", mean_unit=POSTERIOR_UNIT)
    assert [h.proto.body for h in at_posterior.main.get("html") if "<table>" in h.proto.body] == [
        tables[POSTERIOR_UNIT]]
    for sent in ("metres", True, 1):
        send_trigger(at, "live_mean_unit", "release", {MEAN_UNIT.key: sent})
        assert at.radio(key=MEAN_UNIT.key).value == prior
