"""Reconstruct: the current digit, its reconstructions, and its ELBO split into its terms."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import streamlit as st
import torch

from vae_core.analysis import ACTIVE_KL_NATS, DigitReport, active_dims, describe_digit, reconstruction_noise
from vae_core.model import VAE
from vae_core.render import image_grid, to_uint8

from ..common import autoencoder_notice, current_model, current_report, get_digit, seed
from ..controls import RECON_SAMPLES
from ..live import (
    Slider,
    decoded_mu,
    digit_input,
    fallback,
    live_picture,
    live_sliders,
    model_sha1,
    mount_model,
    posterior_params,
    strip_width,
)
from ..pictures import show_grid

SIGN_CONVENTION = (
    "ELBO = E_q[log p(x|z)] - KL(q(z|x) || p(z)), in nats; higher is better. "
    "The training loss is -ELBO. The reconstruction term is a one-sample estimate (seeded); the KL is exact."
)

BAR_CHARACTERS = 10  # length of the largest KL's bar in the table
EIGHTHS = " ▏▎▍▌▋▊▉"  # partial blocks: bars resolve to an eighth of a character


def kl_bar(kl: float, largest: float) -> str:
    """A bar of block characters, as long against BAR_CHARACTERS as kl is against the largest KL."""
    eighths = round(BAR_CHARACTERS * 8 * kl / largest) if 0 < largest < math.inf else 0  # inf: an autoencoder
    return "█" * (eighths // 8) + EIGHTHS[eighths % 8].strip()


def kl_rows(kl_per_dim: torch.Tensor, mu: torch.Tensor, std: torch.Tensor) -> list[dict[str, str]]:
    """One row per latent dimension, largest KL first, its bar coloured by whether the decoder uses it.

    A static table rather than a chart: the landing page's plotly bar chart and interactive dataframe cost each
    visitor's browser more than a second of CPU (benchmarks/RESULTS.md), and the table says the same."""
    order, active = active_dims(kl_per_dim)
    largest = kl_per_dim.max().item()
    return [
        {
            "dim": f"z{d}",
            "KL (nats)": f"{kl_per_dim[d].item():.3f}",
            "": f":{'blue' if used else 'gray'}[{kl_bar(kl_per_dim[d].item(), largest) or '·'}]",
            "mu": f"{mu[d].item():+.3f}",
            "sigma": f"{std[d].item():.3f}",
        }
        for d, used in zip(order.tolist(), active.tolist())
    ]


@st.cache_resource(max_entries=64, show_spinner=False)
def table_data(rows: tuple[tuple[tuple[str, str], ...], ...]) -> pa.Table:
    """The KL rows as the Arrow table st.table sends, made once for every session showing the same rows (keyed by
    their text, never by session): the slider does not change them, and building the table from the rows (through
    pandas) was a third of this page's rerun. Arrow tables are immutable, so one object serves every session."""
    return pa.Table.from_pylist([dict(row) for row in rows])


@dataclass(frozen=True)
class Reconstruction:
    """What the page shows: vae_core's report, its stochastic reconstructions tiled in a row, the KL table."""

    report: DigitReport
    samples: np.ndarray
    kl_rows: list[dict[str, str]]


def compute(model: VAE, x: np.ndarray, n_samples: int, seed: int) -> Reconstruction:
    """The page's numbers and pictures for the digit x with `n_samples` stochastic reconstructions."""
    r = describe_digit(model, x, n_samples=n_samples, seed=seed)
    return Reconstruction(r, image_grid(r.samples, nrow=len(r.samples)), kl_rows(r.kl_per_dim, r.mu, r.std))


@st.fragment
def stochastic_reconstructions() -> None:
    """The samples slider (live, with its st.slider twin) and the strip it changes, decoded in the browser while the
    slider moves. A fragment of its own inside the page's, so that a release reruns and sends these elements rather
    than the whole page's two dozen (benchmarks/RESULTS.md, "Nested fragments"); the digit, model and seed come
    from the sidebar, whose changes rerun everything. It mounts the model itself, so that a browser lacking the
    weights gets them in the rerun a release causes."""
    digit, model = get_digit(), current_model().model
    sha1 = mount_model(model)
    label = "Stochastic reconstructions"
    with fallback(RECON_SAMPLES.key):
        n = st.slider(label, RECON_SAMPLES.low, RECON_SAMPLES.high, RECON_SAMPLES.default, key=RECON_SAMPLES.key,
                      bind="query-params")
    live_sliders(sha1, "recon", [Slider(RECON_SAMPLES.key, label, RECON_SAMPLES.low, RECON_SAMPLES.high, 1, n)],
                 key="live_recon_samples")
    shown = compute(model, digit.x, n, seed())
    alt = "{value} stochastic reconstructions of {name}, each decoded from a code drawn from q(z|x)"
    caption = "decoder means at z ~ q(z|x): stochastic reconstructions"
    with fallback("recon_strip"):
        show_grid(shown.samples, alt.format(value=n, name=digit.name), caption)
    # In the browser: for each count, the very draws describe_digit makes for it, around mu.
    r = shown.report
    counts = range(RECON_SAMPLES.low, RECON_SAMPLES.high + 1)
    eps = {k: reconstruction_noise(r.mu.numel(), k, seed()).reshape(-1).tolist() for k in counts}
    params = {**posterior_params(r.mu, r.std, digit.name), "eps": eps, "widths": {k: strip_width(k) for k in counts},
              "key": RECON_SAMPLES.key}
    live_picture(sha1, "recon", "count", params, None, 0, None, alt, caption, key="live_recon_strip")


@st.fragment
def render() -> None:
    digit = get_digit()
    st.subheader("Reconstruction and its ELBO")
    autoencoder_notice("reconstruct")
    r = current_report()  # the numbers and the table: the samples' count changes none of them
    left, right = st.columns([3, 2])
    with left:
        cols = st.columns(2)
        # Live: a sidebar digit button shows its digit in both at once (the ELBO beside them follows with the run).
        with cols[0]:
            digit_input(to_uint8(r.x)[0], digit.name, "input: {name}", "input x", "recon_input")
        with cols[1]:
            decoded_mu(model_sha1(current_model().model), r.reconstruction, r.mu, r.std, digit.name,
                       "reconstruction of {name}", "reconstruction: decoder mean at z = mu", "recon_mu")
        stochastic_reconstructions()
    with right:
        c = st.columns(3)
        c[0].metric("ELBO", f"{r.elbo:.2f}")
        c[1].metric("log p(x|z)", f"{r.log_likelihood:.2f}")
        c[2].metric("KL", f"{r.kl:.2f}")
        st.caption(SIGN_CONVENTION)
        st.markdown(f"**KL of each latent dimension** (nats; grey: under {ACTIVE_KL_NATS}, ignored by the decoder)")
        rows = kl_rows(r.kl_per_dim, r.mu, r.std)
        st.table(table_data(tuple(tuple(row.items()) for row in rows)), hide_index=True, border="horizontal",
                 height=min(36 * (len(rows) + 1), 420))
