"""Sample: decoded draws from the prior N(0, T^2 I), any of which can become the current digit."""

from __future__ import annotations

import functools
import math

import numpy as np
import streamlit as st
import torch

from vae_core.latent import prior_samples
from vae_core.model import VAE
from vae_core.render import decode_images, image_grid, outline_cell

from ..common import (
    autoencoder_notice,
    current_model,
    draw_controls,
    draws_variants,
    seed,
    set_digit_from_code,
    slider_and_picture,
    stream_seed,
)
from ..controls import SAMPLE_TEMPERATURE
from ..live import Slider, fallback, grid_width, live_picture, live_sliders, model_sha1, square_grid_width
from ..pictures import show_grid

INTRO = (
    "Codes z ~ N(0, T² I) decoded to their Bernoulli means. T = 1 is the model's generative process; "
    "T < 1 stays near the origin (cleaner, less varied digits), T > 1 reaches codes the decoder rarely saw."
)
PICK_KEY = "sample_pick"  # the draw chosen, numbered from 1: the Sample # slider's widget key, in the link


def compute(model: VAE, n: int, temperature: float, draw_seed: int) -> tuple[torch.Tensor, np.ndarray]:
    """n codes drawn from N(0, T² I) with noise from `draw_seed`, and their decoder means tiled square."""
    z = prior_samples(n, model.config.latent_dim, temperature=temperature, seed=draw_seed)
    return z, image_grid(decode_images(model, z), nrow=math.isqrt(n))


def show_draws(latent_dim: int, n: int, draw: int, chosen: int, sha1: str, temperature: float) -> None:
    """The grid of n draws at `temperature`, draw #`chosen` framed: the server's picture (the live picture's twin)
    and the live picture, which decodes the same draws in the browser as the slider moves, frames the draw the
    Sample # slider stands at, moves that slider to a draw clicked or tapped, and holds the draws of the next draw
    number and of the other numbers of draws for the live buttons."""
    model = current_model().model
    _, grid = compute(model, n, temperature, stream_seed("sample", draw))
    side = math.isqrt(n)
    alt = ("{side} by {side} grid of {count} digits decoded from codes drawn from the prior at temperature {value}, "
           "sample #{pick} framed")
    caption = f"{{count}} draws at T = {{value}} (draw {{draw}}, seed {seed()}), numbered row by row from 1"
    with fallback("sample_grid"):
        show_grid(outline_cell(grid, chosen - 1, side),
                  alt.format(side=side, count=n, value=f"{temperature:.1f}", pick=chosen),
                  caption.format(count=n, value=f"{temperature:.1f}", draw=draw))

    def draws(number: int, count: int) -> dict:  # in the browser: z_i = T * eps_i, the same eps_i (at T = 1)
        eps = prior_samples(count, latent_dim, seed=stream_seed("sample", number))
        side = math.isqrt(count)
        return {"spread": eps.reshape(-1).tolist(), "n": count, "nrow": side, "width": square_grid_width(count),
                "words": {"draw": str(number), "count": str(count), "side": str(side)}}

    params = {"center": [0.0] * latent_dim, **draws(draw, n), "key": SAMPLE_TEMPERATURE.key,
              "step": SAMPLE_TEMPERATURE.step, "pick": PICK_KEY, **draws_variants("sample", n, draw, draws)}
    live_picture(sha1, "sample", "scale", params, n, side, grid_width(grid.shape[1]), alt, caption,
                 key="live_sample_grid")


@st.fragment
def render() -> None:
    lm = current_model()
    st.subheader("Samples from the prior")
    autoencoder_notice("sample")
    st.caption(INTRO)
    slider_box, n, draw = draw_controls("sample", ("New draws", "sample_new"))
    side = math.isqrt(n)
    row = st.container(horizontal=True, gap="large", key="picture_row_sample")  # side by side at their own widths
    picture_box, choice_box = row.container(width="content"), row.container(width=260)
    with choice_box:  # first, so that the grid frames the draw chosen
        sha1 = model_sha1(lm.model)
        if st.session_state.get(PICK_KEY, 1) > n:  # fewer draws than before: the chosen one is gone
            st.session_state[PICK_KEY] = 1
        where = f"Row r, column c of the grid is sample #(r - 1) · {side} + c."
        with fallback(PICK_KEY):
            k = st.slider("Sample #", 1, n, 1, key=PICK_KEY, bind="query-params", help=where)
        live_sliders(sha1, "sample", [Slider(PICK_KEY, "Sample #", 1, n, 1, k,
                                             help=f"Or click or tap a digit in the grid. {where}")],
                     key="live_sample_pick")
        if st.button("Use as current digit", key="sample_use", width="stretch"):
            temperature = st.session_state[SAMPLE_TEMPERATURE.key]
            z, _ = compute(lm.model, n, temperature, stream_seed("sample", draw))
            set_digit_from_code(z[k - 1], f"prior sample #{k} (T = {temperature:.1f}, draw {draw}, seed {seed()})")
            st.rerun()  # the whole app, so the sidebar shows the new digit
    slider_and_picture(slider_box, picture_box, "sample", "Temperature T", SAMPLE_TEMPERATURE,
                       functools.partial(show_draws, lm.latent_dim, n, draw, k))
