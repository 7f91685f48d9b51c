"""Compare objectives: the same digits and prior codes through every model of the objectives lab, the KL of each
dimension, the 2-D maps and the rate-distortion plane, all from the models and their cards; and every other page
says what does not apply when the model is the autoencoder."""

from __future__ import annotations

import numpy as np
import pytest

from tests.apptest import current_digit, figure, open_page, pictures
from vae_core.analysis import reconstruct_batch
from vae_core.latent import prior_samples
from vae_core.registry import LAB_GROUP, PRETRAINED_DIR, list_models, load
from vae_core.render import decode_images, image_grid
from views import common, state_keys
from views.common import AUTOENCODER_NOTES
from views.pages import objectives
from views.pictures import png_data_uri

Z20 = ["mnist-z20-ae", "mnist-z20-beta0.25", "mnist-z20-beta1", "mnist-z20-beta4", "mnist-z20-beta16", "mnist-z20"]
Z2 = ["mnist-z2-ae", "mnist-z2-beta4", "mnist-z2"]
LAB = [e.name for e in list_models() if e.group == LAB_GROUP]


def card_metrics(name: str) -> dict:
    return load(PRETRAINED_DIR / name).card["metrics"]


def test_the_lab_is_shipped_and_the_page_orders_it_by_latent_size_then_kl_weight():
    assert sorted(LAB) == sorted(Z20[:-1] + Z2[:-1])
    at = open_page("objectives", "mnist-z20")
    table = at.main.dataframe[0].value
    assert list(table["model"]) == Z20 + Z2
    ae = table[table["model"] == "mnist-z20-ae"].iloc[0]
    assert ae["objective"] == "autoencoder" and np.isnan(ae["test ELBO (β = 1)"]) and np.isnan(ae["test NLL (IW)"])
    b4 = table[table["model"] == "mnist-z20-beta4"].iloc[0]
    assert b4["objective"] == "β-VAE (β = 4)"
    assert b4["test ELBO (β = 1)"] == card_metrics("mnist-z20-beta4")["test_elbo"]
    notes = " ".join(m.value for m in at.main.markdown)
    assert "40 epochs" in notes and "mnist-z20-beta1 is the VAE on that same schedule" in notes


def test_every_model_reconstructs_the_same_digits_and_decodes_the_same_prior_codes():
    at = open_page("objectives", "mnist-z20")
    shown = {p.caption: p for p in pictures(at.main)}
    examples = objectives.class_examples(load(PRETRAINED_DIR / Z20[0]))[0]
    inputs = np.concatenate([current_digit(at).x.reshape(1, -1), examples])
    draw_seed = common.stream_seed(objectives.PRIOR_STREAM, base=int(at.session_state[state_keys.SEED]))
    z = prior_samples(objectives.PRIOR_SAMPLES, 20, seed=draw_seed)
    recon = [p for p in pictures(at.main) if p.alt.startswith("the same digits reconstructed by")]
    prior = [p for p in pictures(at.main) if "prior samples decoded by" in p.alt]
    assert [p.alt.split(" by ")[1].split(",")[0] for p in recon] == Z20
    assert [p.alt.split(" by ")[1].split(",")[0] for p in prior] == Z20
    assert "input" in shown
    for name, r, p in zip(Z20, recon, prior):
        model = load(PRETRAINED_DIR / name).model
        expected_recon = image_grid(reconstruct_batch(model, inputs), nrow=len(inputs))
        expected_prior = image_grid(decode_images(model, z), nrow=len(z))
        assert r.src == png_data_uri(expected_recon), name
        assert p.src == png_data_uri(expected_prior), name


def test_kl_bars_and_rate_distortion_points_are_the_evaluators_figures():
    at = open_page("objectives", "mnist-z20")
    bars = figure(at, "objectives_kl")["data"]
    vaes = [n for n in Z20 if n != "mnist-z20-ae"]
    assert len(bars) == len(vaes)  # the autoencoder has no KL to show
    for name, bar in zip(vaes, bars):
        m = card_metrics(name)
        assert bar["y"] == sorted(m["kl_per_dim"], reverse=True)
        assert f"{m['active_units']} active" in bar["name"]

    traces = figure(at, "objectives_rd")["data"]
    points = next(t for t in traces if t.get("mode") == "markers+text")
    for name, x, y in zip(points["text"], points["x"], points["y"]):
        m = card_metrics(name)
        assert (x, y) == (m["test_kl"], -m["test_log_likelihood"])
    assert set(points["text"]) == {n for n in Z20 + Z2 if not n.endswith("-ae")}
    ae_lines = [t for t in traces if "autoencoder, rate unbounded" in t.get("name", "")]
    assert {t["name"].split(":")[0] for t in ae_lines} == {"mnist-z20-ae", "mnist-z2-ae"}
    for t in ae_lines:
        assert t["y"][0] == t["y"][1] == -card_metrics(t["name"].split(":")[0])["test_log_likelihood"]
    constant_elbo = [t for t in traces if t.get("hoverinfo") == "skip"]
    for t in constant_elbo:  # on each line D + R, that is -ELBO, is the same
        assert t["y"][0] + t["x"][0] == pytest.approx(t["y"][1] + t["x"][1])
    assert constant_elbo


def test_the_2d_models_maps_show_every_test_code_on_axes_that_hold_them():
    at = open_page("objectives", "mnist-z2")
    for name in Z2:
        fig = figure(at, f"objectives_map_{name}")
        mu = load(PRETRAINED_DIR / name).latents["test_mu"].numpy()
        x0, x1 = fig["layout"]["xaxis"]["range"]
        assert x0 <= mu.min() and mu.max() <= x1, name
        assert fig["layout"]["shapes"][0]["type"] == "circle"


@pytest.mark.parametrize("name", Z20 + Z2)
def test_the_page_renders_for_every_model(name: str):
    at = open_page("objectives", name)
    assert "Compare objectives: why the KL matters" in [h.value for h in at.subheader]


@pytest.mark.parametrize("page", sorted(AUTOENCODER_NOTES))
def test_every_page_says_what_does_not_apply_to_the_autoencoder(page: str):
    at = open_page(page, "mnist-z20-ae", timeout=120)
    notices = [i.value for i in at.main.info]
    assert any("is a plain autoencoder" in n and AUTOENCODER_NOTES[page] in n for n in notices), notices
    vae = open_page(page, "mnist-z20-beta1", timeout=120)
    assert not any("plain autoencoder" in i.value for i in vae.main.info)
