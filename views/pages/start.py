"""Start here: the VAE's pipeline drawn with the current digit's own pictures and numbers, what each part is in
plain words, what a good ELBO is, and a line per page."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

from vae_core.analysis import DigitReport, ElboSpread, describe_digit
from vae_core.model import VAE
from vae_core.registry import LoadedModel
from vae_core.render import decode_images, to_uint8

from .. import navigation
from ..common import autoencoder_notice, current_model, elbo_spread_of_test_digits, get_digit, seed
from ..lesson_player import go_to, lessons_on_offer
from ..pictures import show_picture

SHOWN_DIMS = 3  # latent dimensions listed in the encoder and sample boxes, largest KL first
DIGIT_WIDTH = 140

INTRO = (
    "A **variational autoencoder** (Kingma & Welling, 2014) learns two things at once from 60,000 handwritten "
    "digits: an **encoder** that squeezes a 28 x 28 picture into a few numbers, the latent code z, and a "
    "**decoder** that draws a picture back from any such code. Below, the current digit (change it in the "
    "sidebar) goes through the model chosen there; every picture and number is computed for it, live."
)
WORDS = {
    "Encoder q(z|x)": "A neural network that reads the picture x and answers with a probability distribution over "
    "codes: a Gaussian with mean mu and spread sigma in each latent dimension. It says \"the code is about here, "
    "give or take this much\".",
    "Decoder p(x|z)": "A second network that turns a code z into 784 probabilities, one per pixel, of that pixel "
    "being ink. Shown as a picture, the probabilities are the reconstruction: an average of the digits this code "
    "could stand for, so it is smoother than real handwriting.",
    "Prior p(z)": "What codes should look like before seeing any digit: a standard normal N(0, I). Because the "
    "encoder is kept close to it, codes drawn from the prior decode into new digits (the Sample page).",
    "Reparameterization": "z = mu + sigma * eps with eps drawn from N(0, I): the randomness is moved into eps, so the "
    "training signal can flow back through mu and sigma into the encoder.",
    "KL": "KL(q(z|x) || p(z)), in nats: how far the encoder's distribution for this digit is from the prior, or how "
    "much the code says about this digit. A latent dimension with KL near 0 carries nothing; the decoder ignores it.",
    "ELBO": "The evidence lower bound, the score the VAE is trained to raise: ELBO = E_q[log p(x|z)] - KL. The first "
    "term rewards reconstructions that explain the pixels; the KL charges for every nat of information in the code. "
    "It is a lower bound on log p(x), how likely the model finds this digit.",
    "Nat": "The unit of the ELBO: information measured with the natural logarithm (1 nat = 1.44 bits). log p(x) = "
    "-90 nats means the model gives the digit probability e^-90. Higher (closer to 0) is better; the values are "
    "negative because a probability is below 1.",
}


@dataclass(frozen=True)
class Pipeline:
    """The pictures and numbers of the diagram for one digit."""

    report: DigitReport
    sampled: np.ndarray  # (28, 28) uint8: the decoder mean at the sampled z = mu + sigma * eps
    dims: list[int]  # the SHOWN_DIMS dimensions with the largest KL


def compute(model: VAE, x: np.ndarray, seed: int) -> Pipeline:
    """The diagram's content for the digit x: its report (one-sample ELBO with noise from `seed`) and the
    decoded picture at the code that sample drew."""
    r = describe_digit(model, x, n_samples=0, seed=seed)
    dims = torch.argsort(r.kl_per_dim, descending=True)[:SHOWN_DIMS].tolist()
    return Pipeline(r, decode_images(model, r.z)[0], dims)


def code_lines(values: torch.Tensor, dims: list[int], fmt: str) -> str:
    return "  \n".join(f"z{d}: {fmt.format(values[d].item())}" for d in dims)


def pipeline(lm: LoadedModel, shown: Pipeline, source: str) -> None:
    r, dims, d = shown.report, shown.dims, lm.latent_dim
    name = get_digit().name
    boxes = st.columns(5)
    with boxes[0].container(border=True):
        st.markdown("**1. Input x**")
        show_picture(to_uint8(r.x)[0], f"input: {name}", source, width=DIGIT_WIDTH)
        st.caption("784 grey levels, each read as the probability of ink.")
    with boxes[1].container(border=True):
        st.markdown("**2. Encoder → mu, sigma**")
        st.markdown(f"{d} Gaussians, mu ± sigma; the {len(dims)} most informative:  \n"
                    + "  \n".join(f"z{i}: {r.mu[i].item():+.2f} ± {r.std[i].item():.2f}" for i in dims))
        st.caption(f"KL of this digit's code: {r.kl:.1f} nats.")
    with boxes[2].container(border=True):
        st.markdown("**3. Sample z = mu + sigma · eps**")
        st.markdown(f"eps ~ N(0, I), seed {seed()}:  \n" + code_lines(r.z, dims, "{:+.2f}"))
        st.caption("One random code near mu; another seed gives another.")
    with boxes[3].container(border=True):
        st.markdown("**4. Decoder at that z**")
        show_picture(shown.sampled, f"{name} decoded from one sampled code, log p(x|z) {r.log_likelihood:.1f} nats",
                     "decoded sample", width=DIGIT_WIDTH)
        st.caption(f"log p(x|z) = {r.log_likelihood:.1f} nats: how well it explains x's pixels.")
    with boxes[4].container(border=True):
        st.markdown("**5. Reconstruction x̂**")
        show_picture(r.reconstruction, f"reconstruction of {name}, ELBO {r.elbo:.1f} nats", "decoder mean at z = mu",
                     width=DIGIT_WIDTH)
        st.caption("Smoother than x: the decoder draws the average digit this code could stand for.")


def score(r: DigitReport, spread: ElboSpread | None) -> None:
    c = st.columns(3)
    c[0].metric("ELBO", f"{r.elbo:.2f}", help="E_q[log p(x|z)] - KL, in nats; higher is better")
    c[1].metric("log p(x|z)", f"{r.log_likelihood:.2f}", help="the reconstruction term: a one-sample estimate")
    c[2].metric("KL", f"{r.kl:.2f}", help="the cost of the code: exact")
    st.markdown(f"**ELBO = E_q[log p(x|z)] - KL**: {r.log_likelihood:.2f} - {r.kl:.2f} = **{r.elbo:.2f} nats**.")
    if spread is None:
        return
    by_class = sorted(spread.class_means, key=spread.class_means.get)
    worst, best = by_class[0], by_class[-1]
    st.markdown(
        f"**Is that good?** Over the 10,000 MNIST test digits, scored the same way, the ELBO averages "
        f"**{spread.mean:.1f}** nats; 90% of them lie between {spread.quantile(0.05):.1f} and "
        f"{spread.quantile(0.95):.1f}. This digit scores better than **{spread.share_below(r.elbo):.0%}** of them. "
        f"By class, {best}s score highest on average ({spread.class_means[best]:.1f}) and {worst}s lowest "
        f"({spread.class_means[worst]:.1f}): a digit with few ink pixels and a common shape is easier to explain."
    )


def page_guide() -> None:
    for spec in navigation.PAGES:
        if spec.url_path == navigation.DEFAULT_PAGE:
            continue
        st.page_link(navigation.st_page(spec), label=spec.title, icon=spec.icon)
        st.caption(spec.shows)


@st.fragment
def render() -> None:
    lm, digit = current_model(), get_digit()
    st.subheader("Start here: what a VAE does with one digit")
    autoencoder_notice("start")
    st.markdown(INTRO)
    lessons = lessons_on_offer()[0]
    if lessons:  # the first lesson is the guided version of this page
        first = lessons[0]
        st.button(f"New here? Take the lesson “{first.title}” (about {first.minutes} minutes)", key="start_lesson",
                  icon=":material/school:", type="primary", on_click=go_to, args=(first.id, 1))
    shown = compute(lm.model, digit.x, seed())
    pipeline(lm, shown, digit.source)
    left, right = st.columns([3, 2])
    with left:
        st.markdown("#### The score")
        score(shown.report, elbo_spread_of_test_digits(lm, seed()))
        st.markdown("#### In plain words")
        for word, meaning in WORDS.items():
            st.markdown(f"**{word}**: {meaning}")
    with right:
        st.markdown("#### What each page shows")
        page_guide()
