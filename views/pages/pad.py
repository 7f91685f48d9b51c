"""Latent pad: drag over two latent dimensions and watch the decoded digit follow the pointer."""

from __future__ import annotations

import streamlit as st
import torch

from vae_core.analysis import DigitReport, active_dims

from ..common import (
    autoencoder_notice,
    current_model,
    current_report,
    dimension_select,
    set_digit_from_code,
    slice_notice,
)
from ..controls import PAD_BACKDROP, PAD_POINTS, PAD_RANGE
from ..live import Slider, fallback, latent_pad, live_choices, live_sliders
from ..picking import rerun_app_if_requested

LIVE_GROUP = "pad"
RANGE_LABEL = "Range of both axes"
BACKDROP_LABEL = "Decoded digits behind the pad"
BACKDROP_HELP = (
    "Each faint digit is what the decoder makes of the point at its centre, the other dimensions at the current "
    "digit's mu. Turn it off to guess what a point gives before you look."
)
POINTS_LABEL = "The test digits' mu, as dots"
POINTS_HELP = (
    "A dot for each of the 10,000 test digits, at its mu: where the encoder puts real digits. Between and beyond "
    "the dots the decoder is guessing, as in the pad's corners."
)
NO_SCRIPT = (
    "The latent pad is drawn by your browser, and its script could not run here (blocked, or an old browser). "
    "The Manifold page shows the decoder's pictures over a grid of codes, drawn by the server."
)
HELP = (
    "The decoder runs in your browser, so the picture follows the pointer with no round trip to the server. "
    "The other dimensions stay at the current digit's mu (orange ring). Release to make the code the current digit."
)


def default_dims(report: DigitReport) -> tuple[int, int]:
    """The pad's axes at first: z0 and z1 of a 2-D model, else the two dimensions this digit's code uses most."""
    if report.mu.numel() == 2:
        return 0, 1
    x, y = active_dims(report.kl_per_dim)[0][:2].tolist()
    return x, y


@st.fragment
def render() -> None:
    rerun_app_if_requested()
    lm, report = current_model(), current_report()
    default_x, default_y = default_dims(report)
    st.subheader("Latent pad")
    autoencoder_notice("pad")
    st.caption(HELP)
    slice_notice("two of its dimensions at a time, the others held at the current digit's mu")
    # Live over their Streamlit twins (shown at once: they need no model): the pad takes other axes at once, before
    # the release's rerun.
    keys = (f"pad_x_{lm.name}", f"pad_y_{lm.name}", PAD_RANGE.key, PAD_BACKDROP.key, PAD_POINTS.key)  # dims per model
    columns = st.columns(3)
    picked = []
    for column, label, key, default in zip(columns, ("Horizontal", "Vertical"), keys, (default_x, default_y)):
        with column:
            picked.append(dimension_select(label, lm.latent_dim, default, key, LIVE_GROUP))
    dx, dy = picked
    with columns[2]:
        with fallback(PAD_RANGE.key):
            z_range = st.slider(RANGE_LABEL, PAD_RANGE.low, PAD_RANGE.high, PAD_RANGE.default, step=PAD_RANGE.step,
                                key=PAD_RANGE.key, bind="query-params")
        live_sliders(None, LIVE_GROUP, [Slider(PAD_RANGE.key, RANGE_LABEL, PAD_RANGE.low, PAD_RANGE.high,
                                               PAD_RANGE.step, z_range)], key="live_pad_range")
    pad_box = st.container()  # the switch goes under the pad: the pad stays in view on a projector
    with fallback(PAD_BACKDROP.key):
        backdrop = st.toggle(BACKDROP_LABEL, value=PAD_BACKDROP.default, key=PAD_BACKDROP.key, bind="query-params",
                             help=BACKDROP_HELP)
    live_choices(None, LIVE_GROUP, PAD_BACKDROP.key, BACKDROP_LABEL, [False, True], backdrop,
                 component_key="live_pad_backdrop", style="switch", help=BACKDROP_HELP)
    # Only where every test digit's code is a point of the pad: on a larger model the pad is a slice through the
    # current digit's mu, and the test digits' codes lie off it.
    test_mu, show_test_mu = None, False
    if lm.latent_dim == 2:
        test_mu = lm.latents["test_mu"], lm.latents["test_labels"]
        with fallback(PAD_POINTS.key):
            show_test_mu = st.toggle(POINTS_LABEL, value=PAD_POINTS.default, key=PAD_POINTS.key,
                                     bind="query-params", help=POINTS_HELP)
        live_choices(None, LIVE_GROUP, PAD_POINTS.key, POINTS_LABEL, [False, True], show_test_mu,
                     component_key="live_pad_points", style="switch", help=POINTS_HELP)
    if dx == dy:
        pad_box.warning("Choose two different dimensions.")
        return
    if z_range[0] == z_range[1]:
        pad_box.warning("Choose a range wider than one point.")
        return
    with pad_box:
        with fallback("latent_pad"):  # hidden once the page's live elements run, as every twin is
            st.info(NO_SCRIPT, icon=":material/touch_app:")
        released = latent_pad(lm.model, report.mu.tolist(), (dx, dy), z_range, backdrop, test_mu, show_test_mu,
                              group=LIVE_GROUP, keys=keys)
    if released is not None:
        source = f"latent pad: z{dx} = {released[dx]:.2f}, z{dy} = {released[dy]:.2f}"
        set_digit_from_code(torch.tensor(released), source)
        st.rerun(scope="app")  # the sidebar shows the new current digit
