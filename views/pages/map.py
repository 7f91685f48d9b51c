"""Latent map: where the encoder puts the 10,000 test digits, and the current digit's posterior among them."""

from __future__ import annotations

import base64
from functools import partial

import numpy as np
import streamlit as st
import torch

from vae_core.latent import ellipse, project, projected_cov
from vae_core.plot_geometry import cell_representatives, nice_ticks
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
from ..live import PickSource, pick_source, picture_picker
from ..picking import request_app_rerun, rerun_app_if_requested
from ..pictures import shown_width
from .manifold import settings_axis

PICKER_KEY, CLASSES_KEY = "map_picker", "map_classes"
PLOT_PX = 560  # width of the shown picture (presenter mode: larger, pictures.shown_width)
PICTURE_PX = 960  # the dots' picture: larger than shown, so it stays sharp on dense screens and when zoomed
DOT_PX = 3.75  # a dot's radius in picture pixels: about 2 px on screen at PLOT_PX
TARGET_CELLS = 64  # one click target per occupied cell of a 64 x 64 grid: ~9 screen px apart
INTRO = (
    "Each test digit's posterior mean is drawn as its label's digit, in that label's colour. The cross and ring "
    "are the current digit's mean and the 1-sigma ellipse of q(z|x). Click or tap a point (or use the arrow keys and "
    "Enter on the map) to make that handwritten test digit the current digit."
)


def use_test_digit(lm: LoadedModel, index: int) -> None:
    """A picked test digit becomes the current digit: the real picture, or its decoded mu when the shipped test
    digits are unavailable. An index out of range (it came from a browser) is ignored."""
    labels = lm.latents["test_labels"]
    if not 0 <= index < len(labels):
        return
    if shipped_test_digits() is not None:
        set_test_digit(index)
    else:
        source = f"test digit #{index} (label {int(labels[index])}), decoded mu"
        set_digit_from_code(lm.latents["test_mu"][index], source)
    request_app_rerun()


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
def map_source(
    weights: str, classes: tuple[int, ...], box: tuple[float, ...], _points: torch.Tensor, _labels: torch.Tensor,
    _logvar: torch.Tensor, _components: torch.Tensor | None,
) -> PickSource:
    """The picker's source: the test digits of `classes` (their points in the map's plane) as one picture, and one
    click target per occupied cell of a TARGET_CELLS grid, with its digit's 1-sigma covariance in the plane (in
    the picture's fractions: a pick draws that digit's cross and ellipse at once, pick.js). Made once for every
    session with the same weights, classes and range (keyed by the weights' SHA-256, never by session, and not by
    the 10,000 points, whose hashing cost a few ms per run), so a rerun that only moves the current digit is
    cheap, and its message is sent once."""
    shown = torch.nonzero(torch.isin(_labels, torch.tensor(classes, dtype=torch.long))).reshape(-1)
    points, labels, indices = _points[shown].numpy(), _labels[shown].numpy(), shown.numpy()
    picture = class_scatter(points, labels, box[:2], box[2:], PICTURE_PX, DOT_PX)
    rows = cell_representatives(torch.from_numpy(points), box[:2], box[2:], TARGET_CELLS).numpy()
    x, y = to_fractions(points[rows, 0], points[rows, 1], box)
    cov = projected_cov((0.5 * _logvar[indices[rows]].float()).exp(), _components)
    sx, sy = 1 / (box[1] - box[0]), 1 / (box[3] - box[2])  # plane units -> fractions; y runs down the picture
    cov_fractions = torch.stack([cov[:, 0, 0] * sx * sx, -cov[:, 0, 1] * sx * sy, cov[:, 1, 1] * sy * sy], 1)
    targets = {"x": x, "y": y, "id": indices[rows].tolist(), "label": labels[rows].tolist(),
               "cov": [[float(f"{v:.4g}") for v in row] for row in cov_fractions.tolist()]}
    return pick_source("data:image/png;base64," + base64.b64encode(to_png_colour(picture)).decode(), targets)


def to_fractions(x: np.ndarray, y: np.ndarray, box: tuple[float, ...]) -> tuple[list[float], list[float]]:
    """Plane coordinates as fractions of the picture over `box` (x0, x1, y0, y1), from its top left, to 4 places."""
    x0, x1, y0, y1 = box
    return (np.round((np.asarray(x) - x0) / (x1 - x0), 4).tolist(),
            np.round((y1 - np.asarray(y)) / (y1 - y0), 4).tolist())


def axis_view(title: str, low: float, high: float, flip: bool = False) -> dict:
    """An axis of the picker: its title, round ticks at fractions of the picture (from the top when `flip`: the
    vertical axis), and its range."""
    ticks = [[round((high - v if flip else v - low) / (high - low), 4), f"{v:g}"] for v in nice_ticks(low, high)]
    return {"title": title, "ticks": ticks, "range": [low, high]}


def map_view(
    lm: LoadedModel, mu: torch.Tensor, std: torch.Tensor, z_range: list[float] | None, classes: list[int]
) -> tuple[dict, dict]:
    """The picker's source (the test digits of the chosen classes as one picture, with click targets whose ids
    are test indices) and its view: axes, legend, and the current digit's mean and 1-sigma ellipse of q(z|x), in
    the plane of the first two dims or of the PCA."""
    lat = lm.latents
    if lm.latent_dim == 2:
        points, centre, comps = lat["test_mu"], mu, None
        x_title, y_title, plane = "z0", "z1", "z0 across and z1 up"
    else:
        comps = lat["pca_components"]
        points, centre = lat["test_pca"], project(mu, lat["pca_mean"], comps)
        x_title, y_title, plane = "PC 1 of mu", "PC 2 of mu", "the first two principal axes across and up"
    cov = projected_cov(std, comps)
    x0, x1, y0, y1 = box = square_range(points, z_range)
    labels = lat["test_labels"].long()
    count = int(torch.isin(labels, torch.tensor(classes, dtype=torch.long)).sum())
    source = map_source(lm.card.get("weights_sha256", lm.name), tuple(classes), box, points, labels,
                        lat["test_logvar"], comps)
    ring = ellipse(centre, cov).numpy()
    ring_x, ring_y = to_fractions(ring[:, 0], ring[:, 1], box)
    (cx,), (cy,) = to_fractions(centre[:1].numpy(), centre[1:2].numpy(), box)
    which = "every class" if len(classes) == 10 else "the classes " + ", ".join(map(str, classes))
    view = {
        "title": ("Posterior means mu of the 10,000 test digits" if lm.latent_dim == 2
                  else f"PCA of the {lm.latent_dim}-D means mu of the 10,000 test digits"),
        "x": axis_view(x_title, x0, x1), "y": axis_view(y_title, y0, y1, flip=True),
        "legend": {"title": "label, drawn as its digit",
                   "items": [[str(c), CLASS_COLOURS[c]] for c in classes]},
        "marks": {"cross": [cx, cy], "ellipse": [list(p) for p in zip(ring_x, ring_y)]},
        "alt": (f"Latent map: the posterior means of the {count:,} test digits of {which}, each drawn as its "
                f"label's digit in its colour, {plane}; the current digit's mean at ({centre[0]:.2f}, "
                f"{centre[1]:.2f}) is marked by a cross in its 1-sigma ellipse."),
        "label": ("Latent map. Click or tap a dot, or move with the arrow keys and press Enter, to make that test "
                  "digit the current digit."),
        "width": shown_width(1, PLOT_PX),
        # where a posterior lands on the picture, for marks drawn in the browser (latent.js posteriorOnMap)
        "plane": {"box": list(box), "mean": None if comps is None else lat["pca_mean"].tolist(),
                  "components": None if comps is None else comps.tolist()},
    }
    return source, view


@st.fragment
def render() -> None:
    rerun_app_if_requested()
    lm, r = current_model(), current_report()
    st.subheader("Latent map")
    autoencoder_notice("map")
    st.caption(INTRO)
    left, right = st.columns([1, 3])  # controls beside the picture, so the picture stays in view on a projector
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
    source, view = map_view(lm, r.mu, r.std, z_range, sorted(classes))
    with right:
        picture_picker(source, view, partial(use_test_digit, lm), PICKER_KEY)
