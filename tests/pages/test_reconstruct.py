"""AppTest checks of the latent-space views (Reconstruct, Mean/Variance perturbation, Sample, The maths):
each renders on a 2-D and a 20-D model, its main control changes the picture, and the numbers shown are
vae_core's own for the same digit and seed.

The app runs on frozen copies of the shipped mnist-z2 and mnist-z20 folders: training may rewrite pretrained/
while the tests run, and a model replaced between two reruns would change every picture."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from tests.pages import open_page
from vae_core import registry
from vae_core.analysis import DigitReport, active_dims, describe_digit
from vae_core.checkpoint import CARD, LATENTS, WEIGHTS, CheckpointError
from vae_core.latent import prior_samples
from vae_core.model import VAE, VAEConfig
from vae_core.registry import LoadedModel
from vae_core.render import decode_images, to_uint8
from views import common, state_keys
from views.pages import mean, reconstruct, variance

ROOT = Path(__file__).resolve().parent.parent
MODELS = {"mnist-z2": 2, "mnist-z20": 20}
PAGES = ["reconstruct", "mean", "variance", "sample", "maths"]


@pytest.fixture(scope="module")
def frozen_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pretrained/ of copies of the two models, each copied again until its card and weights agree."""
    root = tmp_path_factory.mktemp("pretrained")
    for name in MODELS:
        src, dst = registry.PRETRAINED_DIR / name, root / name
        dst.mkdir()
        for _ in range(10):
            for f in (CARD, WEIGHTS, LATENTS):
                shutil.copy2(src / f, dst / f)
            try:
                registry.load(dst)
                break
            except CheckpointError:
                time.sleep(1)  # copied mid-save: card and weights from two different saves
        else:
            pytest.fail(f"could not copy a consistent {src}")
    return root


@pytest.fixture(autouse=True)
def app_uses_frozen_models(frozen_models: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The sidebar lists models through views.common; AppTest runs app.py in this process, so a patch applies."""
    monkeypatch.setattr(common, "list_models", lambda: registry.list_models(frozen_models))
    common.model_entries.clear()  # st.cache_data outlives AppTest runs
    yield
    common.model_entries.clear()


def image_urls(at: AppTest) -> list[str]:
    """Media URLs of the images in the main area; a URL is a hash of the image bytes."""
    return [img.url for node in at.main.get("image") for img in node.proto.imgs]


def image_url(at: AppTest, caption_start: str) -> str:
    imgs = [img for node in at.main.get("image") for img in node.proto.imgs]
    urls = [img.url for img in imgs if img.caption.startswith(caption_start)]
    assert len(urls) == 1, f"expected one image captioned {caption_start!r}, found {len(urls)}"
    return urls[0]


def loaded_model(at: AppTest) -> LoadedModel:
    return at.session_state[state_keys.LOADED_MODEL]


def current_report(at: AppTest, n_samples: int = 0) -> DigitReport:
    """What vae_core says about the digit, model and seed the app is showing."""
    digit, seed = at.session_state[state_keys.DIGIT], int(at.session_state[state_keys.SEED])
    return describe_digit(loaded_model(at).model, digit.x, n_samples, seed=seed)


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.main.markdown)


# --- every view renders on both models ---------------------------------------------------------------------------


@pytest.mark.parametrize("url_path", PAGES)
def test_page_renders_on_a_2d_and_a_20d_model(url_path: str) -> None:
    at = open_page(url_path)
    for name in ("mnist-z2", "mnist-z20"):  # z20 is the default: this also switches back
        at.selectbox(key=state_keys.MODEL).set_value(name).run()
        assert not at.exception, f"{url_path} on {name}: {at.exception}"
        assert loaded_model(at).latent_dim == MODELS[name]
        assert image_urls(at) or len(at.latex) == 4, f"{url_path} on {name} shows neither images nor formulas"


# --- Reconstruct -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_reconstruct_metrics_equal_describe_digit(model: str) -> None:
    at = open_page("reconstruct", model)
    r = current_report(at)
    shown = {m.label: m.value for m in at.metric}
    assert shown == {"ELBO": f"{r.elbo:.2f}", "log p(x|z)": f"{r.log_likelihood:.2f}", "KL": f"{r.kl:.2f}"}


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


# --- Mean perturbation -------------------------------------------------------------------------------------------


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


# --- Variance perturbation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_variance_slider_and_resample_change_the_grid(model: str) -> None:
    at = open_page("variance", model)
    grid = image_url(at, "16 decoded samples")
    reconstruction = image_url(at, "mean reconstruction")
    at.slider(key="variance_scale").set_value(2.0).run()
    moved = image_url(at, "16 decoded samples")
    assert moved != grid
    at.button(key="variance_resample").click().run()
    assert image_url(at, "16 decoded samples") != moved
    assert image_url(at, "mean reconstruction") == reconstruction


def test_variance_grid_is_reproducible_from_the_seed() -> None:
    at = open_page("variance", "mnist-z20")
    at.button(key="variance_resample").click().run()
    first = image_url(at, "16 decoded samples")
    again = open_page("variance", "mnist-z20")
    again.button(key="variance_resample").click().run()
    assert image_url(again, "16 decoded samples") == first
    again.number_input(key=state_keys.SEED).set_value(3).run()
    assert image_url(again, "16 decoded samples") != first


@pytest.mark.parametrize("n", common.SAMPLE_COUNTS)
def test_variance_grid_at_scale_zero_is_the_mean_reconstruction_in_every_cell(n: int) -> None:
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=20, hidden=(64,))).eval()
    x = torch.rand(784)
    report = describe_digit(model, x, n_samples=0, seed=5)
    grid = variance.variance_grid(model, report, 0.0, n, eps_seed=123)
    side, cell, pad = int(np.sqrt(n)), 28 + 2, 2
    assert grid.shape == (pad + side * cell, pad + side * cell)
    for i in range(side):
        for j in range(side):
            tile = grid[pad + i * cell : pad + i * cell + 28, pad + j * cell : pad + j * cell + 28]
            assert np.array_equal(tile, report.reconstruction), f"cell ({i}, {j})"
    assert not np.array_equal(variance.variance_grid(model, report, 1.0, n, eps_seed=123), grid)


# --- Sample ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_sample_temperature_and_new_draws_change_the_grid(model: str) -> None:
    at = open_page("sample", model)
    grid = image_url(at, "16 draws")
    at.slider(key="sample_temperature").set_value(0.5).run()
    cooler = image_url(at, "16 draws")
    assert cooler != grid
    at.button(key="sample_new").click().run()
    assert image_url(at, "16 draws") != cooler
    at.selectbox(key="sample_count").set_value(36).run()
    assert image_url(at, "36 draws")


@pytest.mark.parametrize("model", MODELS)
def test_sample_k_becomes_the_current_digit(model: str) -> None:
    at = open_page("sample", model)
    at.slider(key="sample_temperature").set_value(0.7).run()
    at.number_input(key="sample_pick").set_value(5).run()
    at.button(key="sample_use").click().run()
    assert not at.exception
    lm = loaded_model(at)
    draw_seed = common.stream_seed("sample", 0, base=int(at.session_state[state_keys.SEED]))
    z = prior_samples(16, lm.latent_dim, temperature=0.7, seed=draw_seed)
    digit = at.session_state[state_keys.DIGIT]
    assert np.array_equal(to_uint8(digit.x), decode_images(lm.model, z[4]))  # the picture of draw #5
    assert digit.source.startswith("prior sample #5 (T = 0.7")


# --- The maths ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_maths_numbers_equal_describe_digit(model: str) -> None:
    at = open_page("maths", model)
    r = current_report(at)
    shown = {m.label: m.value for m in at.metric}
    assert shown == {"ELBO": f"{r.elbo:.3f}", "log p(x|z)": f"{r.log_likelihood:.3f}", "KL": f"{r.kl:.3f}"}
    text = markdown_text(at)
    for d in active_dims(r.kl_per_dim)[0][:5].tolist():
        assert f"| z{d} | {r.mu[d]:.4f} | {r.std[d]:.4f} | {r.kl_per_dim[d]:.4f} |" in text
    for d in range(min(5, MODELS[model])):
        assert f"| z{d} | {r.mu[d]:.4f} | {r.std[d]:.4f} | {r.eps[d]:.4f} | {r.z[d]:.4f} |" in text
    assert len(at.latex) == 4


def test_maths_seed_changes_the_sampled_z_and_the_one_sample_terms() -> None:
    at = open_page("maths", "mnist-z20")
    before = {m.label: m.value for m in at.metric}
    at.number_input(key=state_keys.SEED).set_value(11).run()
    r = current_report(at)
    after = {m.label: m.value for m in at.metric}
    assert after["KL"] == before["KL"] == f"{r.kl:.3f}"  # exact, no sampling
    assert after["log p(x|z)"] == f"{r.log_likelihood:.3f}" != before["log p(x|z)"]
    assert f"| z0 | {r.mu[0]:.4f} | {r.std[0]:.4f} | {r.eps[0]:.4f} | {r.z[0]:.4f} |" in markdown_text(at)
