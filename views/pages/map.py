"""Latent map: where the encoder puts the 10,000 test digits, and the current digit's posterior among them."""

from __future__ import annotations

import base64
from functools import partial

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from vae_core.latent import ellipse, project, projected_cov
from vae_core.plot_geometry import cell_representatives
from vae_core.registry import LoadedModel
from vae_core.render import CLASS_COLOURS, class_scatter, to_png_colour

from ..common import (
    autoencoder_notice,
    current_model,
    current_report,
    get_digit,
    set_digit_from_code,
    set_test_digit,
    shipped_test_digits,
    slice_notice,
)
from ..picking import pick_callback, rerun_app_if_requested
from ..screens import for_screen
from .manifold import settings_axis

CHART_KEY, CLASSES_KEY = "map_chart", "map_classes"
PLOT_PX = 640  # height of the chart
PICTURE_PX = 960  # the dots' picture: 1.5x the plotted size, so it stays sharp on dense screens and when zoomed
DOT_PX = 2.5 * PICTURE_PX / PLOT_PX  # radius in picture pixels of a 5-px dot on screen
TARGET_CELLS = 64  # one click target per occupied cell of a 64 x 64 grid: ~10 screen px apart
INTRO = (
    "Each test digit's posterior mean is drawn as its label's digit, in that label's colour. The cross and ring "
    "are the current digit's mean and the 1-sigma ellipse of q(z|x). Click a point to make that handwritten test "
    "digit the current digit."
)


def use_test_digit(lm: LoadedModel, customdata: int | list) -> None:
    """A clicked test digit (customdata: its index, or [index, label]) becomes the current digit: the real
    picture, or its decoded mu when the shipped test digits are unavailable."""
    i = int(customdata[0] if isinstance(customdata, list) else customdata)
    if shipped_test_digits() is not None:
        set_test_digit(i)
        return
    label = int(lm.latents["test_labels"][i])
    set_digit_from_code(lm.latents["test_mu"][i], f"test digit #{i} (label {label}), decoded mu")


def manifold_range(axis: torch.Tensor) -> list[float]:
    """The z-range of the manifold's grid axis, widened by 5% of its length at each end."""
    margin = 0.05 * (axis[-1] - axis[0]).item()
    return [axis[0].item() - margin, axis[-1].item() + margin]


def square_range(points: torch.Tensor, z_range: list[float] | None) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1): the manifold's z-range on both axes, or all points with a 5% margin, widened to a
    square so that one unit is as long on both axes (the picture is square and the axes are anchored)."""
    if z_range is not None:
        return z_range[0], z_range[1], z_range[0], z_range[1]
    lo, hi = points[:, :2].min(0).values, points[:, :2].max(0).values
    centre, half = (lo + hi) / 2, (hi - lo).max().item() * 0.55
    cx, cy = centre.tolist()
    return cx - half, cx + half, cy - half, cy + half


@st.cache_data(max_entries=32, show_spinner=False)
def map_layers(points: np.ndarray, labels: np.ndarray, box: tuple[float, ...]) -> tuple[str, np.ndarray]:
    """The points as one picture (a data URI for a plotly layout image) and the rows of `points` that serve as
    click targets; cached per model, range and classes, so a rerun that only moves the current digit is cheap."""
    picture = class_scatter(points, labels, box[:2], box[2:], PICTURE_PX, DOT_PX)
    targets = cell_representatives(torch.from_numpy(points), box[:2], box[2:], TARGET_CELLS).numpy()
    return "data:image/png;base64," + base64.b64encode(to_png_colour(picture)).decode(), targets


def map_figure(
    lm: LoadedModel, mu: torch.Tensor, std: torch.Tensor, z_range: list[float] | None, classes: list[int]
) -> go.Figure:
    """The test digits of the chosen classes as one picture, with invisible click targets on top whose
    customdata are [test index, label], plus the current digit's mean and 1-sigma ellipse of q(z|x), in the
    plane of the first two dims or of the PCA."""
    lat = lm.latents
    if lm.latent_dim == 2:
        points, centre, cov = lat["test_mu"], mu, projected_cov(std, None)
        x_title, y_title = "z0", "z1"
    else:
        comps = lat["pca_components"]
        points, centre, cov = lat["test_pca"], project(mu, lat["pca_mean"], comps), projected_cov(std, comps)
        x_title, y_title = "PC 1 of mu", "PC 2 of mu"
    x0, x1, y0, y1 = box = square_range(points, z_range)
    labels = lat["test_labels"].long()
    shown = torch.nonzero(torch.isin(labels, torch.tensor(classes, dtype=torch.long))).reshape(-1)
    picture, targets = map_layers(points[shown].numpy(), labels[shown].numpy(), box)
    targets = shown[torch.from_numpy(targets)]
    fig = go.Figure()
    fig.add_layout_image(
        source=picture, xref="x", yref="y", x=x0, y=y1, sizex=x1 - x0, sizey=y1 - y0, sizing="stretch", layer="below",
    )
    fig.add_trace(go.Scatter(
        x=points[targets, 0].numpy(), y=points[targets, 1].numpy(), mode="markers", name="test digits",
        showlegend=False, customdata=torch.stack([targets, labels[targets]], 1).tolist(),
        marker=dict(size=10, opacity=0), selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0)),
        hovertemplate="label %{customdata[1]}<br>test digit #%{customdata[0]}<br>click: use its code<extra></extra>",
    ))
    # the colour key: legend entries with nothing to draw (the cross and ring are named in the line above the chart)
    for label in classes:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=str(label), marker=dict(size=9, color=CLASS_COLOURS[label]),
        ))
    ring = ellipse(centre, cov)
    fig.add_trace(go.Scatter(
        x=ring[:, 0].tolist(), y=ring[:, 1].tolist(), mode="lines", name="q(z|x): 1 sigma", hoverinfo="skip",
        showlegend=False, line=dict(color="black", width=2),
    ))
    fig.add_trace(go.Scatter(
        x=[centre[0].item()], y=[centre[1].item()], mode="markers", name="current digit: mu", hoverinfo="skip",
        showlegend=False, marker=dict(symbol="x", size=14, color="black", line=dict(color="white", width=1.5)),
    ))
    title = (  # short lines: a chart's title does not wrap, and a phone is 390 px wide
        "Posterior means mu<br>of the 10,000 test digits" if lm.latent_dim == 2
        else f"PCA of the {lm.latent_dim}-D means mu<br>of the 10,000 test digits"
    )
    # constrain="domain": the anchored axes shrink the plot area rather than widen the range past the picture
    fig.update_xaxes(title=x_title, range=[x0, x1], zeroline=False, showgrid=False, constrain="domain")
    fig.update_yaxes(title=y_title, range=[y0, y1], zeroline=False, showgrid=False, scaleanchor="x", constrain="domain")
    fig.update_layout(
        title=title, height=PLOT_PX, margin=dict(l=60, r=10, t=70, b=50), hovermode="closest",
        legend=dict(title="label,<br>drawn as<br>its digit", itemsizing="constant", itemclick=False,
                    itemdoubleclick=False),
    )
    return fig


@st.cache_data(max_entries=64, show_spinner=False)
def shared_figure(
    weights: str, _lm: LoadedModel, mu: np.ndarray, std: np.ndarray, z_range: list[float] | None, classes: list[int]
) -> dict:
    """`map_figure` once for every session with the same weights, digit, range and classes, as a dict (which
    st.plotly_chart takes as it is); keyed by the weights' SHA-256 and numpy arrays, never by session."""
    return map_figure(_lm, torch.from_numpy(mu), torch.from_numpy(std), z_range, classes).to_dict()


@st.fragment
def render() -> None:
    rerun_app_if_requested()
    lm, r = current_model(), current_report()
    st.subheader("Latent map")
    autoencoder_notice("map")
    st.caption(INTRO)
    left, right = st.columns([1, 3])  # controls beside the chart, so the chart stays in view on a projector
    with left:
        classes = st.pills(
            "Classes shown", list(range(10)), selection_mode="multi", default=list(range(10)), key=CLASSES_KEY,
            bind="query-params",
        )
        z_range = None
        if lm.latent_dim == 2:
            if st.toggle("Same z-range as the manifold", value=True, key="map_manifold_range", bind="query-params",
                         help="Off: show every point. The range follows the spacing chosen on the Manifold page."):
                z_range = manifold_range(settings_axis(2))
        else:
            slice_notice("the test digits' means projected on their first two principal axes")
        if not classes:
            st.info("No class chosen: pick one or more labels above to show their test digits.")
        st.markdown(f"**Current digit**: {get_digit().source}; ELBO {r.elbo:.2f} nats (the cross and ring)")
    figure = shared_figure(lm.card.get("weights_sha256", lm.name), lm, r.mu.numpy(), r.std.numpy(), z_range,
                           sorted(classes))
    right.plotly_chart(
        for_screen(figure, presenter_height=1.25), key=CHART_KEY,
        on_select=pick_callback(CHART_KEY, partial(use_test_digit, lm)), selection_mode="points",
    )
