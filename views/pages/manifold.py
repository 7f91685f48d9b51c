"""Manifold: decode a grid of codes over two latent dimensions (Kingma & Welling 2014, Fig. 4)."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from vae_core.analysis import top_kl_dims
from vae_core.latent import grid_axis, manifold_grid
from vae_core.model import VAE
from vae_core.plot_geometry import axis_position, axis_ticks, cell_centres
from vae_core.render import decode_images, image_grid, to_png

from ..common import autoencoder_notice, current_model, current_report, set_digit_from_code, slice_notice
from ..controls import MANIFOLD_EPS as EPS
from ..controls import MANIFOLD_N, SPACINGS
from ..controls import MANIFOLD_ZMAX as ZMAX
from ..picking import pick_callback, rerun_app_if_requested
from ..screens import for_screen
from ..state_keys import MANIFOLD_EPS, MANIFOLD_SPACING, MANIFOLD_ZMAX

CELL_PX = 28  # one decoded digit per cell, no padding
FIGURE_PX = 640  # side of the plotted picture in screen px
CHART_KEY = "manifold_chart"
# The map view draws its axes over the same z-range, so these settings outlive this page (persist_state).
DEFAULT_SPACING = SPACINGS[next(iter(SPACINGS))]
DIM_KEYS = ("manifold_dim_x", "manifold_dim_y")
INTRO = (
    "Kingma & Welling (2014), Fig. 4: a grid of codes over two latent dimensions, each decoded (decoder mean). "
    "With gaussian spacing the grid is uniform in the prior's CDF, so every cell holds the same prior mass. "
)
PICKING = "Click a cell to make its code the current digit; the red ring marks the current digit's mu."


def settings_axis(n: int) -> torch.Tensor:
    """grid_axis for the spacing settings chosen on this page (defaults if never opened)."""
    spacing = SPACINGS.get(st.session_state.get(MANIFOLD_SPACING, ""), DEFAULT_SPACING)
    eps, z_max = st.session_state.get(MANIFOLD_EPS, EPS.default), st.session_state.get(MANIFOLD_ZMAX, ZMAX.default)
    return grid_axis(n, eps, spacing, z_max)


@dataclass(frozen=True)
class Manifold:
    """What the page shows: the figure, and the codes behind its cells (row by row) for a click to pick."""

    codes: torch.Tensor
    figure: go.Figure


def decoded_grid(
    model: VAE, mu: torch.Tensor, axis: torch.Tensor, dims: tuple[int, int]
) -> tuple[torch.Tensor, np.ndarray]:
    """The codes of the n x n grid over `dims` (the other dimensions at mu) and their decoded pictures, tiled."""
    codes = manifold_grid(axis, base=mu, dims=dims, latent_dim=mu.numel())
    return codes, image_grid(decode_images(model, codes), nrow=axis.numel(), padding=0)  # all n * n in one batch


def picture_source(grid: np.ndarray) -> tuple[str, int]:
    """The tiled grid as a PNG data URI enlarged by a whole factor to about FIGURE_PX (so the browser need not
    smooth it), and that factor."""
    scale = max(1, math.ceil(FIGURE_PX / grid.shape[-1]))
    return "data:image/png;base64," + base64.b64encode(to_png(grid, scale)).decode(), scale


def compute(model: VAE, mu: torch.Tensor, axis: torch.Tensor, dims: tuple[int, int]) -> Manifold:
    """The page's figure for the current digit's mu, the grid axis chosen and the two plotted dimensions."""
    codes, grid = decoded_grid(model, mu, axis, dims)
    return Manifold(codes, manifold_figure(grid, axis, codes, dims, mu))


@st.cache_data(max_entries=64, show_spinner=False)
def shared_compute(
    weights: str, _model: VAE, mu: np.ndarray, axis: np.ndarray, dims: tuple[int, int]
) -> tuple[torch.Tensor, dict]:
    """`compute` once for every session with the same weights, digit and grid (a class moves through the same
    ones): the codes, and the figure as a dict, which st.plotly_chart takes as it is (a go.Figure would be
    validated again on every copy out of the cache). Keyed by the weights' SHA-256 and numpy arrays (which
    Streamlit hashes by value), never by session."""
    manifold = compute(_model, torch.from_numpy(mu), torch.from_numpy(axis), dims)
    return manifold.codes, manifold.figure.to_dict()


def manifold_figure(
    grid: np.ndarray, axis: torch.Tensor, codes: torch.Tensor, dims: tuple[int, int], mu: torch.Tensor
) -> go.Figure:
    """The decoded grid as a picture whose axes read in z, with one invisible, selectable point per
    cell on top (a go.Image emits no point selections) and the current digit's mu marked."""
    n = axis.numel()
    side = n * CELL_PX
    source, scale = picture_source(grid)
    first = -0.5 + 0.5 / scale  # centre of the first enlarged pixel, in model pixels
    fig = go.Figure(go.Image(source=source, x0=first, y0=first, dx=1 / scale, dy=1 / scale, hoverinfo="skip"))
    xs, ys = cell_centres(n, CELL_PX)
    d0, d1 = dims
    fig.add_trace(go.Scatter(
        x=xs.numpy(), y=ys.numpy(), mode="markers", name="cells", showlegend=False,
        marker=dict(size=max(6, FIGURE_PX // n), opacity=0),
        selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0)),
        customdata=[[i, z[d0].item(), z[d1].item()] for i, z in enumerate(codes)],
        hovertemplate=f"z{d0} = %{{customdata[1]:.2f}}<br>z{d1} = %{{customdata[2]:.2f}}<br>click: use this code"
        "<extra></extra>",
    ))
    px, py = axis_position(mu[d0].item(), axis, CELL_PX), axis_position(mu[d1].item(), axis, CELL_PX, descending=True)
    if px is not None and py is not None:
        fig.add_trace(go.Scatter(
            x=[px], y=[py], mode="markers", name="current digit's mu", showlegend=False, hoverinfo="skip",
            marker=dict(symbol="circle-open", size=18, color="#ff4b4b", line=dict(width=3)),
        ))
    xticks, xlabels = axis_ticks(axis, CELL_PX, count=5)
    yticks, ylabels = axis_ticks(axis, CELL_PX, count=5, descending=True)
    fig.update_xaxes(tickvals=xticks, ticktext=xlabels, title=f"z{d0}", range=[-0.5, side - 0.5],
                     showgrid=False, zeroline=False)
    fig.update_yaxes(tickvals=yticks, ticktext=ylabels, title=f"z{d1}", range=[side - 0.5, -0.5],
                     showgrid=False, zeroline=False, scaleanchor="x")
    fig.update_layout(width=FIGURE_PX + 90, height=FIGURE_PX + 70, margin=dict(l=70, r=10, t=10, b=60),
                      dragmode=False, hovermode="closest", hoverdistance=-1)
    return fig


def dimension_pair(latent_dim: int, kl_per_dim: torch.Tensor) -> tuple[int, int]:
    """Two selects for the plotted dimensions; by default the two with the highest KL for the current digit."""
    if latent_dim == 2:
        return 0, 1
    dims = list(range(latent_dim))
    defaults = top_kl_dims(kl_per_dim, 2)

    # Options read "z3", not "z3 (KL 0.12)": a bound select puts its option's text in the URL, which must not
    # depend on the digit; the KL goes in the help instead.
    dims_help = "By default the two dimensions with the largest KL for this digit: " + ", ".join(
        f"z{d} ({kl_per_dim[d].item():.2f} nats)" for d in defaults)
    picked = []
    for key, text, default in zip(DIM_KEYS, ("Horizontal", "Vertical"), defaults):
        if key in st.session_state and st.session_state[key] not in dims:  # a smaller model than before
            del st.session_state[key]
        picked.append(st.selectbox(f"{text} dimension", dims, index=default, key=key, format_func="z{}".format,
                                   help=dims_help, bind="query-params"))
    return picked[0], picked[1]


def use_cell(codes: torch.Tensor, dims: tuple[int, int], customdata: list) -> None:
    """A clicked cell (customdata [index, z_x, z_y]) makes its code the current digit."""
    z = codes[int(customdata[0])]
    set_digit_from_code(z, f"manifold cell z{dims[0]} = {z[dims[0]]:.2f}, z{dims[1]} = {z[dims[1]]:.2f}")


@st.fragment
def render() -> None:
    rerun_app_if_requested()
    lm, r = current_model(), current_report()
    st.subheader("The learned manifold")
    autoencoder_notice("manifold")
    others = "" if lm.latent_dim == 2 else "The other dimensions stay at the current digit's mu. "
    st.caption(INTRO + others + PICKING)
    left, right = st.columns([1, 3])
    with left:  # the notice beside the chart, not above it: the chart stays in view on a projector
        slice_notice("two of its dimensions at a time, the others held at the current digit's mu")
        n = st.slider("Grid size n (n x n digits)", MANIFOLD_N.low, MANIFOLD_N.high, MANIFOLD_N.default,
                      key=MANIFOLD_N.key, bind="query-params")
        spacing = SPACINGS[st.radio("Spacing", list(SPACINGS), key=MANIFOLD_SPACING, persist_state="session",
                                     bind="query-params")]
        if spacing == "gaussian":
            st.slider("eps: grid covers the prior's quantiles eps ... 1 - eps", EPS.low, EPS.high, EPS.default,
                      EPS.step, key=MANIFOLD_EPS, persist_state="session", bind="query-params")
        else:
            st.slider("z-range: -z ... +z", ZMAX.low, ZMAX.high, ZMAX.default, ZMAX.step, key=MANIFOLD_ZMAX,
                      persist_state="session", bind="query-params")
        dims = dimension_pair(lm.latent_dim, r.kl_per_dim)
    if dims[0] == dims[1]:
        right.warning("Choose two different dimensions.")
        return
    axis = settings_axis(n)
    codes, figure = shared_compute(lm.card.get("weights_sha256", lm.name), lm.model, r.mu.numpy(), axis.numpy(), dims)
    with right:
        st.plotly_chart(
            for_screen(figure), key=CHART_KEY, width="content",
            on_select=pick_callback(CHART_KEY, partial(use_cell, codes, dims)), selection_mode="points",
            config={"displayModeBar": False},
        )
        if any(axis_position(r.mu[d].item(), axis, CELL_PX) is None for d in dims):
            where = ", ".join(f"z{d} = {r.mu[d]:.2f}" for d in dims)
            st.caption(f"The current digit's mu ({where}) lies outside this grid, so it is not marked.")
