"""Variance perturbation: decoded samples z = mu + s * sigma * eps around the current digit's code."""

from __future__ import annotations

import functools
import math

import numpy as np
import streamlit as st
import torch

from vae_core.analysis import DigitReport
from vae_core.latent import posterior_samples
from vae_core.model import VAE
from vae_core.render import decode_images, image_grid

from ..common import (
    autoencoder_notice,
    current_model,
    current_report,
    draw_controls,
    draws_variants,
    get_digit,
    seed,
    slider_and_picture,
    stream_seed,
)
from ..controls import VARIANCE_SCALE
from ..live import (
    decoded_mu,
    fallback,
    grid_width,
    live_picture,
    model_sha1,
    posterior_params,
    square_grid_width,
)
from ..pictures import show_grid

INTRO = (
    "Codes z = mu + s · sigma ⊙ eps, eps ~ N(0, I), around the current digit's posterior q(z|x) = N(mu, sigma²); "
    "s = 1 samples the posterior itself, s = 0 gives mu every time, larger s wanders further from it."
)


def variance_grid(model: VAE, report: DigitReport, scale: float, n: int, eps_seed: int) -> np.ndarray:
    """n decoded codes mu + scale * sigma * eps, tiled square; one batched decoder call."""
    z = posterior_samples(report.mu, report.std, n, scale=scale, seed=eps_seed)
    return image_grid(decode_images(model, z), nrow=math.isqrt(n))


def show_draws(n: int, draw: int, sha1: str, s: float) -> None:
    """The grid of n draws at scale s: the server's picture (the live picture's twin) and the live picture, which
    decodes the same draws in the browser as the slider moves, and holds those of the next draw and of the other
    numbers of draws for the live buttons."""
    lm, r = current_model(), current_report()
    grid = variance_grid(lm.model, r, s, n, stream_seed("variance", draw))
    name = get_digit().name
    alt = "grid of {count} digits decoded from codes drawn around {name}'s mu with sigma scaled by {value}"
    caption = f"{{count}} decoded samples at s = {{value}} (draw {{draw}}, seed {seed()})"
    with fallback("variance_grid"):
        show_grid(grid, alt.format(count=n, value=f"{s:.1f}", name=name),
                  caption.format(count=n, value=f"{s:.1f}", draw=draw))

    def draws(number: int, count: int) -> dict:  # in the browser: z_i = mu + s * (sigma * eps_i), the same eps_i
        eps = posterior_samples(torch.zeros_like(r.mu), torch.ones_like(r.std), count,
                                seed=stream_seed("variance", number))
        return {"eps": eps.reshape(-1).tolist(), "n": count, "nrow": math.isqrt(count),
                "width": square_grid_width(count), "words": {"draw": str(number), "count": str(count)}}

    params = {**posterior_params(r.mu, r.std, name), **draws(draw, n), "key": VARIANCE_SCALE.key,
              "step": VARIANCE_SCALE.step, **draws_variants("variance", n, draw, draws)}
    live_picture(sha1, "variance", "scale", params, n, math.isqrt(n), grid_width(grid.shape[1]), alt, caption,
                 key="live_variance_grid")


@st.fragment
def render() -> None:
    r = current_report()
    st.subheader("Effect of variance disturbance")
    autoencoder_notice("variance")
    st.caption(INTRO)
    slider_box, n, draw = draw_controls("variance", ("Resample", "variance_resample"))
    row = st.container(horizontal=True, gap="large", key="picture_row_variance")  # side by side at their own widths
    slider_and_picture(slider_box, row, "variance", "s (multiplies sigma)", VARIANCE_SCALE,
                       functools.partial(show_draws, n, draw))
    with row:
        decoded_mu(model_sha1(current_model().model), r.reconstruction, r.mu, r.std, get_digit().name,
                   "{name} decoded from mu", "mean reconstruction: decoded mu", "variance_mu")
