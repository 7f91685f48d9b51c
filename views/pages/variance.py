"""Variance perturbation: decoded samples z = mu + s * sigma * eps around the current digit's code."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from vae_core.analysis import DigitReport
from vae_core.latent import posterior_samples
from vae_core.model import VAE
from vae_core.render import decode_images, image_grid

from ..common import autoencoder_notice, current_model, current_report, draw_controls, get_digit, seed, stream_seed
from ..controls import VARIANCE_SCALE
from ..pictures import show_grid, show_picture

INTRO = (
    "Codes z = mu + s · sigma ⊙ eps, eps ~ N(0, I), around the current digit's posterior q(z|x) = N(mu, sigma²); "
    "s = 1 samples the posterior itself, s = 0 gives mu every time, larger s wanders further from it."
)


def variance_grid(model: VAE, report: DigitReport, scale: float, n: int, eps_seed: int) -> np.ndarray:
    """n decoded codes mu + scale * sigma * eps, tiled square; one batched decoder call."""
    z = posterior_samples(report.mu, report.std, n, scale=scale, seed=eps_seed)
    return image_grid(decode_images(model, z), nrow=math.isqrt(n))


@st.fragment
def render() -> None:
    lm, r = current_model(), current_report()
    st.subheader("Effect of variance disturbance")
    autoencoder_notice("variance")
    st.caption(INTRO)
    s, n, draw = draw_controls("variance", "s (multiplies sigma)", VARIANCE_SCALE,
                               ("Resample", "variance_resample"))
    with st.container(horizontal=True, gap="large"):  # side by side at their own widths
        grid = variance_grid(lm.model, r, s, n, stream_seed("variance", draw))
        name = get_digit().name
        show_grid(grid, f"grid of {n} digits decoded from codes drawn around {name}'s mu with sigma scaled by {s:.1f}",
                  f"{n} decoded samples at s = {s:.1f} (draw {draw}, seed {seed()})")
        show_picture(r.reconstruction, f"{name} decoded from mu, ELBO {r.elbo:.1f} nats",
                     "mean reconstruction: decoded mu")
