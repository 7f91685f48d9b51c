"""Latent map: where the encoder puts the 10,000 test digits, and the current digit's posterior among them."""

from __future__ import annotations

from functools import partial

import plotly.graph_objects as go
import streamlit as st
import torch

from vae_core.analysis import describe_digit
from vae_core.latent import ellipse, group_by_label, project, projected_cov
from vae_core.registry import LoadedModel

from .common import current_model, get_digit, seed, set_digit_from_code
from .manifold import settings_axis
from .picking import pick_callback, rerun_app_if_picked

CHART_KEY = "map_chart"
CLASS_COLOURS = [  # Tableau 10: ten colours that stay apart
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
]


def use_test_digit(lm: LoadedModel, customdata: int | list) -> None:
    i = int(customdata[0] if isinstance(customdata, list) else customdata)
    label = int(lm.latents["test_labels"][i])
    set_digit_from_code(lm.latents["test_mu"][i], f"test digit #{i} (label {label}), decoded mu")


def map_figure(lm: LoadedModel, mu: torch.Tensor, std: torch.Tensor, z_range: list[float] | None) -> go.Figure:
    """Ten class traces (the legend toggles them) whose customdata are the test indices, plus the current
    digit's mean and 1-sigma ellipse of q(z|x), in the plane of the first two dims or of the PCA."""
    lat = lm.latents
    if lm.latent_dim == 2:
        points, centre, cov = lat["test_mu"], mu, projected_cov(std, None)
        x_title, y_title = "z0", "z1"
    else:
        comps = lat["pca_components"]
        points, centre, cov = lat["test_pca"], project(mu, lat["pca_mean"], comps), projected_cov(std, comps)
        x_title, y_title = "PC 1 of mu", "PC 2 of mu"
    fig = go.Figure()
    for label, idx in enumerate(group_by_label(lat["test_labels"])):
        xy = points[idx]
        fig.add_trace(go.Scattergl(
            x=xy[:, 0].numpy(), y=xy[:, 1].numpy(), mode="markers", name=str(label), customdata=idx.tolist(),
            marker=dict(size=4, color=CLASS_COLOURS[label], opacity=0.7),
            hovertemplate=f"label {label}<br>test digit #%{{customdata}}<br>click: use its code<extra></extra>",
        ))
    ring = ellipse(centre, cov)
    # WebGL traces are drawn above SVG ones, so the current digit is WebGL too, to stay on top of the dots
    fig.add_trace(go.Scattergl(
        x=ring[:, 0].tolist(), y=ring[:, 1].tolist(), mode="lines", name="q(z|x): 1 sigma", hoverinfo="skip",
        line=dict(color="black", width=2),
    ))
    fig.add_trace(go.Scattergl(
        x=[centre[0].item()], y=[centre[1].item()], mode="markers", name="current digit: mu", hoverinfo="skip",
        marker=dict(symbol="x", size=14, color="black", line=dict(color="white", width=1.5)),
    ))
    title = (
        "Posterior means mu of the 10,000 test digits" if lm.latent_dim == 2
        else f"PCA projection of the {lm.latent_dim}-dimensional means mu of the 10,000 test digits"
    )
    fig.update_xaxes(title=x_title, range=z_range, zeroline=False)
    fig.update_yaxes(title=y_title, range=z_range, zeroline=False, scaleanchor="x")
    fig.update_layout(
        title=title, height=640, margin=dict(l=60, r=10, t=50, b=50), legend=dict(title="label", itemsizing="constant"),
        hovermode="closest",
    )
    return fig


@st.fragment
def render() -> None:
    rerun_app_if_picked()
    lm = current_model()
    r = describe_digit(lm.model, get_digit().x, n_samples=0, seed=seed())
    st.subheader("Latent map")
    st.caption(
        "Each dot is one test digit's posterior mean, coloured by its label (click a label in the legend to hide or "
        "show a class). The cross and ring are the current digit's mean and the 1-sigma ellipse of q(z|x). "
        "Click a dot to make that test digit's decoded mean the current digit."
    )
    z_range = None
    if lm.latent_dim == 2:
        if st.toggle("Same z-range as the manifold", value=True, key="map_manifold_range",
                     help="Off: show every point. The range follows the spacing chosen on the Manifold page."):
            axis = settings_axis(2)
            margin = 0.05 * (axis[-1] - axis[0]).item()
            z_range = [axis[0].item() - margin, axis[-1].item() + margin]
    else:
        st.caption("With more than two latent dimensions the map shows the first two principal axes of the means.")
    st.plotly_chart(
        map_figure(lm, r.mu, r.std, z_range), key=CHART_KEY,
        on_select=pick_callback(CHART_KEY, partial(use_test_digit, lm)), selection_mode="points",
    )
