"""Variance perturbation: decoded samples z = mu + s * sigma * eps around the current digit's code."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from vae_core.analysis import DigitReport, describe_digit
from vae_core.latent import posterior_samples
from vae_core.model import VAE
from vae_core.render import decode_images, image_grid

from ..common import current_model, get_digit, seed, show_digit, show_grid, stream_seed

COUNTS = (16, 36, 64)




def variance_grid(model: VAE, report: DigitReport, scale: float, n: int, eps_seed: int) -> np.ndarray:
    """n decoded codes mu + scale * sigma * eps, tiled square; one batched decoder call."""
    z = posterior_samples(report.mu, report.std, n, scale=scale, seed=eps_seed)
    return image_grid(decode_images(model, z), nrow=math.isqrt(n))


def resample() -> None:
    st.session_state["variance_draws"] = st.session_state.get("variance_draws", 0) + 1


@st.fragment
def render() -> None:
    lm = current_model()
    r = describe_digit(lm.model, get_digit().x, n_samples=0, seed=seed())
    st.subheader("Effect of variance disturbance")
    st.caption(
        "Codes z = mu + s · sigma ⊙ eps, eps ~ N(0, I), around the current digit's posterior q(z|x) = N(mu, sigma²); "
        "s = 1 samples the posterior itself, s = 0 gives mu every time, larger s wanders further from it."
    )
    c = st.columns([3, 1, 1])
    s = c[0].slider("s (multiplies sigma)", 0.0, 3.0, 1.0, step=0.1, key="variance_scale", bind="query-params")
    n = c[1].selectbox("Samples", COUNTS, key="variance_count", bind="query-params")
    c[2].button("Resample", key="variance_resample", on_click=resample, width="stretch")
    draw = st.session_state.get("variance_draws", 0)
    with st.container(horizontal=True, gap="large"):  # side by side at their own widths
        grid = variance_grid(lm.model, r, s, n, stream_seed("variance", draw))
        show_grid(grid, f"{n} decoded samples at s = {s:.1f} (draw {draw}, seed {seed()})")
        show_digit(r.reconstruction, "mean reconstruction: decoded mu")
