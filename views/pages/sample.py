"""Sample: decoded draws from the prior N(0, T^2 I), any of which can become the current digit."""

from __future__ import annotations

import math

import streamlit as st

from vae_core.latent import prior_samples
from vae_core.render import decode_images, image_grid

from ..common import current_model, seed, set_digit_from_code, show_grid, stream_seed

COUNTS = (16, 36, 64)




def new_draws() -> None:
    st.session_state["sample_draws"] = st.session_state.get("sample_draws", 0) + 1


@st.fragment
def render() -> None:
    lm = current_model()
    st.subheader("Samples from the prior")
    st.caption(
        "Codes z ~ N(0, T² I) decoded to their Bernoulli means. T = 1 is the model's generative process; "
        "T < 1 stays near the origin (cleaner, less varied digits), T > 1 reaches codes the decoder rarely saw."
    )
    c = st.columns([3, 1, 1])
    temperature = c[0].slider("Temperature T", 0.1, 2.0, 1.0, step=0.1, key="sample_temperature", bind="query-params")
    n = c[1].selectbox("Samples", COUNTS, key="sample_count", bind="query-params")
    c[2].button("New draws", key="sample_new", on_click=new_draws, width="stretch")
    draw = st.session_state.get("sample_draws", 0)
    z = prior_samples(n, lm.latent_dim, temperature=temperature, seed=stream_seed("sample", draw))
    side = math.isqrt(n)
    with st.container(horizontal=True, gap="large"):  # side by side at their own widths
        grid = image_grid(decode_images(lm.model, z), nrow=side)
        show_grid(grid, f"{n} draws at T = {temperature:.1f} (draw {draw}, seed {seed()}), numbered row by row from 1")
        with st.container(width=220):
            k = st.number_input("Sample #", min_value=1, max_value=n, value=1, step=1, key="sample_pick",
                                bind="query-params",
                                help=f"Row r, column c of the grid is sample #(r - 1) · {side} + c.")
            if st.button("Use as current digit", key="sample_use", width="stretch"):
                set_digit_from_code(z[k - 1], f"prior sample #{k} (T = {temperature:.1f}, draw {draw}, seed {seed()})")
                st.rerun()  # the whole app, so the sidebar shows the new digit
