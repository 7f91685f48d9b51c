"""Latent map: where the encoder puts the 10,000 test digits, and the current digit's posterior among them."""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st
import torch

from vae_core.latent import ellipse, project, projected_cov
from vae_core.plot_geometry import nice_ticks
from vae_core.registry import LoadedModel
from vae_core.render import CLASS_COLOURS, class_glyph_masks, class_scatter, to_png_colour

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
from ..live import PickerVariants, PickSource, fallback, live_choices, picture_picker, points_message
from ..picking import request_app_rerun, rerun_app_if_requested
from ..pictures import shown_width
from .manifold import settings_axis

PICKER_KEY, CLASSES_KEY, RANGE_KEY = "map_picker", "map_classes", "map_manifold_range"
MAP_GROUP = "map"  # the live pills and range switch, and the picker that follows them
RANGE_LABEL = "Same z-range as the manifold"
RANGE_HELP = "Off: show every point. The range follows the spacing chosen on the Manifold page."
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


@st.cache_data(max_entries=8, show_spinner=False)
def map_points(weights: str, _points: torch.Tensor, _labels: torch.Tensor, _logvar: torch.Tensor,
               _components: torch.Tensor | None) -> PickSource:
    """The picker's source, from which the browser draws the map (views/live/scatter.js): every test digit's point
    in the map's plane, its label, and its 1-sigma covariance in the plane (a pick draws that digit's cross and
    ellipse at once, pick.js), with the glyph masks class_scatter pastes. The classes shown and the range are the
    browser's to apply, so a pill or the range switch redraws the map at once and its rerun sends no new source.
    Made once per model for every session (keyed by the weights' SHA-256, not by the 10,000 points, whose hashing
    cost a few ms per run); Streamlit's message cache sends it once per session."""
    cov = projected_cov((0.5 * _logvar.float()).exp(), _components)
    ident, message = points_message(_points[:, :2].numpy(), _labels.numpy(), {},
                                    cov=torch.stack([cov[:, 0, 0], cov[:, 0, 1], cov[:, 1, 1]], 1).numpy(),
                                    glyphs=class_glyph_masks(DOT_PX))
    return PickSource(ident, message)


@st.cache_data(max_entries=32, show_spinner=False)
def map_picture(weights: str, classes: tuple[int, ...], box: tuple[float, ...], _points: torch.Tensor,
                _labels: torch.Tensor) -> bytes:
    """The map drawn by the server as a PNG (class_scatter), for a browser that cannot run the picker: the test
    digits of `classes` over `box` (x0, x1, y0, y1). Cached for every session, keyed like map_points."""
    shown = torch.isin(_labels, torch.tensor(classes, dtype=torch.long))
    picture = class_scatter(_points[shown, :2].numpy(), _labels[shown].numpy(), box[:2], box[2:], PICTURE_PX, DOT_PX)
    return to_png_colour(picture)


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


def which_classes(classes: list[int]) -> str:
    """The classes shown, in words, as the map's text alternative names them (scatter.js says the same)."""
    if len(classes) == 10:
        return "every class"
    return "the classes " + ", ".join(map(str, classes)) if classes else "no class"


def map_view(
    lm: LoadedModel, mu: torch.Tensor, std: torch.Tensor, z_range: list[float] | None, classes: list[int]
) -> dict:
    """The picker's view: axes, legend, the current digit's mean and 1-sigma ellipse of q(z|x), in the plane of
    the first two dims or of the PCA, and the scatter the browser draws from map_points: the classes shown (the
    live pills of MAP_GROUP change them there), the picture's size, and the text alternative's template."""
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
    ring = ellipse(centre, cov).numpy()
    ring_x, ring_y = to_fractions(ring[:, 0], ring[:, 1], box)
    (cx,), (cy,) = to_fractions(centre[:1].numpy(), centre[1:2].numpy(), box)
    alt = ("Latent map: the posterior means of the {count} test digits of {which}, each drawn as its label's digit "
           f"in its colour, {plane}; the current digit's mean at ({centre[0]:.2f}, {centre[1]:.2f}) is marked by a "
           "cross in its 1-sigma ellipse.")
    return {
        "title": ("Posterior means mu of the 10,000 test digits" if lm.latent_dim == 2
                  else f"PCA of the {lm.latent_dim}-D means mu of the 10,000 test digits"),
        "x": axis_view(x_title, x0, x1), "y": axis_view(y_title, y0, y1, flip=True),
        "legend": {"title": "label, drawn as its digit",
                   "items": [[str(c), CLASS_COLOURS[c]] for c in classes]},
        "marks": {"cross": [cx, cy], "ellipse": [list(p) for p in zip(ring_x, ring_y)]},
        "alt": alt.format(count=f"{count:,}", which=which_classes(classes)),
        "label": ("Latent map. Click or tap a dot, or move with the arrow keys and press Enter, to make that test "
                  "digit the current digit."),
        "width": shown_width(1, PLOT_PX),
        # where a posterior lands on the picture, for marks drawn in the browser (latent.js posteriorOnMap)
        "plane": {"box": list(box), "mean": None if comps is None else lat["pca_mean"].tolist(),
                  "components": None if comps is None else comps.tolist()},
        "scatter": {"group": MAP_GROUP, "key": CLASSES_KEY, "classes": classes, "colours": CLASS_COLOURS,
                    "px": PICTURE_PX, "dot": DOT_PX, "cells": TARGET_CELLS, "alt": alt},
    }


def plane_points(lm: LoadedModel) -> torch.Tensor:
    """The test digits' points in the map's plane: their mu (2-D), else its PCA."""
    return lm.latents["test_mu" if lm.latent_dim == 2 else "test_pca"]


def weights_key(lm: LoadedModel) -> str:
    """What the map's caches are keyed by: the weights' SHA-256 (the model's name for a model without one)."""
    return lm.card.get("weights_sha256", lm.name)


def map_source(lm: LoadedModel) -> PickSource:
    """map_points for the model `lm`, cached for every session."""
    return map_points(weights_key(lm), plane_points(lm), lm.latents["test_labels"].long(), lm.latents["test_logvar"],
                      lm.latents["pca_components"] if lm.latent_dim > 2 else None)


@st.fragment
def render() -> None:
    rerun_app_if_requested()
    lm, r = current_model(), current_report()
    st.subheader("Latent map")
    autoencoder_notice("map")
    st.caption(INTRO)
    left, right = st.columns([1, 3])  # controls beside the picture, so the picture stays in view on a projector
    with left:
        with fallback(CLASSES_KEY):
            classes = st.pills("Classes shown", list(range(10)), selection_mode="multi", default=list(range(10)),
                               key=CLASSES_KEY, bind="query-params")
        classes = sorted(classes)
        live_choices(None, MAP_GROUP, CLASSES_KEY, "Classes shown", list(range(10)), classes,
                     component_key="live_map_classes", style="pills")
        ranges: dict[bool, list[float] | None] = {False: None}
        same = False
        if lm.latent_dim == 2:
            with fallback(RANGE_KEY):
                same = st.toggle(RANGE_LABEL, value=True, key=RANGE_KEY, bind="query-params", help=RANGE_HELP)
            live_choices(None, MAP_GROUP, RANGE_KEY, RANGE_LABEL, [False, True], same,
                         component_key="live_map_range", style="switch", help=RANGE_HELP)
            ranges[True] = manifold_range(settings_axis(2))
        else:
            slice_notice("the test digits' means projected on their first two principal axes")
        if not classes:
            st.info("No class chosen: pick one or more labels above to show their test digits.")
        st.markdown(f"**Current digit**: {get_digit().source}; ELBO {r.elbo:.2f} nats (the cross and ring)")
    source, view = map_source(lm), map_view(lm, r.mu, r.std, ranges[same], classes)
    # On the 2-D model the range switch shows the other range's axes and marks at once.
    variants = [PickerVariants(MAP_GROUP, RANGE_KEY, same, {
        not same: (source, map_view(lm, r.mu, r.std, ranges[not same], classes))})] if lm.latent_dim == 2 else []
    with right:
        picture_picker(source, view, partial(use_test_digit, lm), PICKER_KEY, variants, picture=partial(
            map_picture, weights_key(lm), tuple(classes), tuple(view["plane"]["box"]), plane_points(lm),
            lm.latents["test_labels"].long()))
