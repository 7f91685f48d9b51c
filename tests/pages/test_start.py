"""The Start page: the pipeline with the current digit's own pictures and numbers, where its ELBO sits among the
10,000 test digits, plain words, and a link to every other page."""

from __future__ import annotations

import numpy as np
import pytest

from tests.apptest import MODELS, current_digit, current_report, image_urls, loaded_model, open_page
from vae_core.analysis import elbo_of_each
from vae_core.digits import load_test_digits
from vae_core.render import decode_images, to_uint8
from views import navigation


def page_text(at) -> str:
    return "\n".join(m.value for m in at.main.markdown) + "\n".join(c.value for c in at.main.caption)


@pytest.mark.parametrize("model", MODELS)
def test_start_is_the_first_page_and_draws_the_pipeline_with_this_digits_numbers(model: str) -> None:
    at = open_page("", model)  # the app's root
    assert at.main.subheader[0].value.startswith("Start here")
    r = current_report(at)
    assert {m.label: m.value for m in at.main.metric} == {
        "ELBO": f"{r.elbo:.2f}", "log p(x|z)": f"{r.log_likelihood:.2f}", "KL": f"{r.kl:.2f}"}
    text = page_text(at)
    top = int(np.argmax(r.kl_per_dim.numpy()))
    assert f"z{top}: {r.mu[top].item():+.2f} ± {r.std[top].item():.2f}" in text  # the encoder box
    assert f"z{top}: {r.z[top].item():+.2f}" in text  # the sampled code
    assert f"{r.log_likelihood:.2f} - {r.kl:.2f} = **{r.elbo:.2f} nats**" in text
    assert len(image_urls(at.main)) == 3  # x, the decoded sample and the reconstruction
    assert loaded_model(at).name == model


def test_start_says_where_the_digits_elbo_sits_among_the_test_digits() -> None:
    at = open_page("", "mnist-z2", digit="4")
    digits = load_test_digits()
    elbos = elbo_of_each(loaded_model(at).model, digits.images.reshape(-1, 784) / np.float32(255), seed=0).numpy()
    share_below = float(np.mean(elbos < elbos[4]))
    text = page_text(at)
    assert f"averages **{elbos.mean():.1f}** nats" in text
    assert f"better than **{share_below:.0%}** of them" in text
    best = max(range(10), key=lambda c: elbos[digits.labels == c].mean())
    assert f"{best}s score highest on average ({elbos[digits.labels == best].mean():.1f})" in text


def test_start_links_every_other_page() -> None:
    at = open_page("", "mnist-z20")
    links = {link.proto.page for link in at.main.get("page_link")}
    others = [spec for spec in navigation.PAGES if spec.url_path != navigation.DEFAULT_PAGE]
    assert len(links) == len(others) == 14
    for spec in others:
        assert spec.shows in page_text(at)


def test_the_pipelines_sampled_picture_is_the_decoder_at_the_sampled_code() -> None:
    from views.pages import start

    at = open_page("", "mnist-z20", seed="3")
    lm, x = loaded_model(at), current_digit(at).x
    shown = start.compute(lm.model, x, 3)
    np.testing.assert_array_equal(shown.sampled, decode_images(lm.model, shown.report.z)[0])
    np.testing.assert_array_equal(to_uint8(shown.report.x)[0], to_uint8(x)[0])


def test_start_offers_the_first_lesson_in_one_click() -> None:
    at = open_page("", "mnist-z20")
    at.button(key="start_lesson").click().run()
    assert not at.exception
    assert any("Lesson: What a VAE is · step 1 of" in c.value for c in at.main.caption)
