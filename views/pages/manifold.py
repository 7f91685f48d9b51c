"""Manifold: decode a grid of codes over two latent dimensions (Kingma & Welling 2014, Fig. 4)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import streamlit as st
import torch
from streamlit.delta_generator import DeltaGenerator

from vae_core.analysis import top_kl_dims
from vae_core.latent import grid_axis, manifold_grid
from vae_core.model import VAE
from vae_core.plot_geometry import axis_position, axis_ticks
from vae_core.render import decode_images, image_grid, to_png

from ..common import (
    autoencoder_notice,
    current_model,
    current_report,
    dimension_select,
    set_digit_from_code,
    slice_notice,
)
from ..controls import MANIFOLD_EPS as EPS
from ..controls import MANIFOLD_N, SPACINGS, Control
from ..controls import MANIFOLD_ZMAX as ZMAX
from ..live import (
    PickerVariants,
    PickSource,
    Slider,
    fallback,
    live_choices,
    live_sliders,
    model_sha1,
    mount_model,
    pick_source,
    picture_picker,
)
from ..picking import request_app_rerun, rerun_app_if_requested
from ..pictures import shown_width
from ..state_keys import MANIFOLD_EPS, MANIFOLD_SPACING, MANIFOLD_ZMAX

CELL_PX = 28  # one decoded digit per cell, no padding
FIGURE_PX = 640  # side of the shown picture in screen px (presenter mode: pictures.shown_width)
PICKER_KEY = "manifold_picker"
LIVE_GROUP = "manifold"  # the live grid size, eps or z-range sliders, the spacing choice, and the picker they move
# The map view draws its axes over the same z-range, so these settings outlive this page (persist_state).
DIM_KEYS = ("manifold_dim_x", "manifold_dim_y")
INTRO = (
    "Kingma & Welling (2014), Fig. 4: a grid of codes over two latent dimensions, each decoded (decoder mean). "
    "With gaussian spacing the grid is uniform in the prior's CDF, so every cell holds the same prior mass. "
)
PICKING = (
    "Click or tap a cell (or use the arrow keys and Enter on the grid) to make its code the current digit; the red "
    "ring marks the current digit's mu."
)


def chosen_spacing() -> str:
    """The spacing chosen on this page, by its label (the default if never opened)."""
    label = st.session_state.get(MANIFOLD_SPACING, "")
    return label if label in SPACINGS else next(iter(SPACINGS))


def settings_axis(n: int, eps: float | None = None, z_max: float | None = None,
                  spacing: str | None = None) -> torch.Tensor:
    """grid_axis for the spacing settings chosen on this page (defaults if never opened); `eps`, `z_max` or
    `spacing` (a label of SPACINGS), where given, in place of the chosen one."""
    spacing = SPACINGS[spacing or chosen_spacing()]
    eps = st.session_state.get(MANIFOLD_EPS, EPS.default) if eps is None else eps
    z_max = st.session_state.get(MANIFOLD_ZMAX, ZMAX.default) if z_max is None else z_max
    return grid_axis(n, eps, spacing, z_max)


@dataclass(frozen=True)
class Manifold:
    """What the page shows: the decoded grid as a PNG data URI, and the codes behind its cells (row by row) for a
    pick."""

    codes: torch.Tensor
    picture: str


def decoded_grid(
    model: VAE, mu: torch.Tensor, axis: torch.Tensor, dims: tuple[int, int]
) -> tuple[torch.Tensor, np.ndarray]:
    """The codes of the n x n grid over `dims` (the other dimensions at mu) and their decoded pictures, tiled."""
    codes = manifold_grid(axis, base=mu, dims=dims, latent_dim=mu.numel())
    return codes, image_grid(decode_images(model, codes), nrow=axis.numel(), padding=0)  # all n * n in one batch


def picture_source(grid: np.ndarray) -> str:
    """The tiled grid as a PNG data URI, one pixel per model pixel: the browser enlarges it (pixelated) or
    shrinks it to the shown width, and the fewer bytes go faster."""
    return "data:image/png;base64," + base64.b64encode(to_png(grid)).decode()


def compute(model: VAE, mu: torch.Tensor, axis: torch.Tensor, dims: tuple[int, int]) -> Manifold:
    """The page's picture for the current digit's mu, the grid axis chosen and the two plotted dimensions."""
    codes, grid = decoded_grid(model, mu, axis, dims)
    return Manifold(codes, picture_source(grid))


@st.cache_data(max_entries=64, show_spinner=False)
def shared_compute(
    weights: str, _model: VAE, mu: np.ndarray, axis: np.ndarray, dims: tuple[int, int]
) -> tuple[torch.Tensor, PickSource]:
    """`compute` once for every session with the same weights, digit and grid (a class moves through the same
    ones): the codes, and the picker's source. Keyed by the weights' SHA-256 and numpy arrays (which Streamlit
    hashes by value), never by session."""
    manifold = compute(_model, torch.from_numpy(mu), torch.from_numpy(axis), dims)
    return manifold.codes, pick_source(manifold.picture)


RING_TEXT = "; a red ring marks the current digit's mu."


def manifold_alt(axis: Sequence[float], x: str, y: str, end: str) -> str:
    """The grid's text alternative: x and y name its dimensions, `end` closes it (RING_TEXT where the ring is
    drawn, else "."); with "{x}", "{y}" and "{end}" a template the browser fills for another pair (pick.js)."""
    n, low, high = len(axis), f"{axis[0]:.2f}", f"{axis[-1]:.2f}"
    return (f"Manifold: {n} x {n} digits decoded from a grid of codes, {x} from {low} to {high} across and {y} from "
            f"{high} at the top to {low} at the bottom{end}")


def manifold_view(axis: torch.Tensor, dims: tuple[int, int], mu: torch.Tensor) -> dict:
    """The picker's view of the grid over `axis` in `dims`: axes in z, the cells' z values, and a red ring at the
    current digit's mu when it lies inside the grid."""
    n = axis.numel()
    side = n * CELL_PX
    d0, d1 = dims
    ticks = [axis_ticks(axis, CELL_PX, count=5, descending=flip) for flip in (False, True)]
    x_axis, y_axis = ({"title": f"z{d}", "ticks": [[round((p + 0.5) / side, 4), text] for p, text in zip(*t)]}
                      for d, t in zip(dims, ticks))
    px, py = axis_position(mu[d0].item(), axis, CELL_PX), axis_position(mu[d1].item(), axis, CELL_PX, descending=True)
    inside = px is not None and py is not None
    return {
        "x": x_axis, "y": y_axis,
        "grid": {"n": n, "x": [f"{v:.2f}" for v in axis.tolist()], "y": [f"{v:.2f}" for v in axis.flip(0).tolist()]},
        "marks": {"ring": [round((px + 0.5) / side, 4), round((py + 0.5) / side, 4)]} if inside else {},
        # A sidebar digit button moves the ring at once (pick.js onDigit), and the text alternative from its template
        # says whether there is one; where the grid is a slice through mu (more than two dimensions) its cells are
        # decoded in the browser, where they can be.
        "follow": {"dims": [d0, d1], "axis": axis.tolist(), "cell": CELL_PX, "mu": mu.tolist(),
                   "slice": mu.numel() > 2, "alt": manifold_alt(axis, "{x}", "{y}", "{end}"), "ring": RING_TEXT},
        "alt": manifold_alt(axis, f"z{d0}", f"z{d1}", RING_TEXT if inside else "."),
        "label": ("Manifold grid. Click or tap a cell, or move with the arrow keys and press Enter, to make its code "
                  "the current digit."),
        # a whole multiple of the picture's side where it fits, so every model pixel is an equal square
        "width": shown_width(side, FIGURE_PX) if side <= FIGURE_PX else shown_width(1, FIGURE_PX),
    }


def dimension_pair(latent_dim: int, kl_per_dim: torch.Tensor, model_sha1: str | None) -> tuple[int, int]:
    """Two selects for the plotted dimensions; by default the two with the highest KL for the current digit. Live
    (views/live) over their Streamlit twins: the picker decodes the grid of the new pair in the browser (the model
    `model_sha1`) at once, before the release's rerun brings the server's."""
    if latent_dim == 2:
        return 0, 1
    defaults = top_kl_dims(kl_per_dim, 2)

    # Options read "z3", not "z3 (KL 0.12)": a bound select puts its option's text in the URL, which must not
    # depend on the digit; the KL goes in the help instead.
    dims_help = "By default the two dimensions with the largest KL for this digit: " + ", ".join(
        f"z{d} ({kl_per_dim[d].item():.2f} nats)" for d in defaults)
    x, y = (dimension_select(f"{text} dimension", latent_dim, default, key, LIVE_GROUP, model_sha1, help=dims_help,
                             live_help=key == DIM_KEYS[-1])  # the live selects' help once, under both
            for key, text, default in zip(DIM_KEYS, ("Horizontal", "Vertical"), defaults))
    return x, y


def use_cell(codes: torch.Tensor, dims: tuple[int, int], index: int) -> None:
    """A picked cell makes its code the current digit; an index out of range (it came from a browser) is
    ignored."""
    if not 0 <= index < len(codes):
        return
    z = codes[index]
    set_digit_from_code(z, f"manifold cell z{dims[0]} = {z[dims[0]]:.2f}, z{dims[1]} = {z[dims[1]]:.2f}")
    request_app_rerun()


def grid_picture(n: int, dims: tuple[int, int], mu: torch.Tensor, **spacing: float | str) -> tuple[torch.Tensor,
                                                                                                     PickSource, dict]:
    """The n x n grid for the current settings (`spacing`: eps, z_max or the spacing's label in place of the
    chosen one): its codes, the picker's source and its view."""
    lm = current_model()
    axis = settings_axis(n, **spacing)
    codes, source = shared_compute(lm.card.get("weights_sha256", lm.name), lm.model, mu.numpy(), axis.numpy(), dims)
    return codes, source, manifold_view(axis, dims, mu)


@st.fragment
def grid_and_picker(n_box: DeltaGenerator, picture_box: DeltaGenerator, dims: tuple[int, int]) -> None:
    """The grid size slider (in `n_box`) and the picker it changes (in `picture_box`): a fragment of its own inside
    the page's, so that moving the slider reruns and sends these, not the page's title, notices and other controls
    (benchmarks/RESULTS.md, "Nested fragments"). The page's fragment calls it on each of its runs, so a new
    spacing, range, pair of dimensions or digit reaches it. A pick reruns this fragment first.

    The slider is a live one (views/live) over its `st.slider` twin, and the picker also holds the grids of the
    neighbouring sizes, and of the neighbouring eps or z-ranges (spacing_slider's, also live): a key press (one
    step) on either shows the new grid at once, and its release's rerun brings the next neighbours. A drag further
    away dims the picture until its release brings it."""
    rerun_app_if_requested()
    r = current_report()
    label = "Grid size n (n x n digits)"
    with n_box:
        with fallback(MANIFOLD_N.key):
            n = st.slider(label, MANIFOLD_N.low, MANIFOLD_N.high, MANIFOLD_N.default, key=MANIFOLD_N.key,
                          bind="query-params")
        live_sliders(None, LIVE_GROUP, [Slider(MANIFOLD_N.key, label, MANIFOLD_N.low, MANIFOLD_N.high, 1, n)],
                     key="live_manifold_n")
    if dims[0] == dims[1]:
        picture_box.warning("Choose two different dimensions.")
        return
    codes, source, view = grid_picture(n, dims, r.mu)
    lm = current_model()
    if lm.latent_dim > 2:  # another pair of dimensions: decoded in the browser (pick.js decodedView)
        view["decode"] = {"model": model_sha1(lm.model), "group": LIVE_GROUP, "keys": list(DIM_KEYS)}
    sizes = [m for m in (n - 1, n + 1) if MANIFOLD_N.low <= m <= MANIFOLD_N.high]
    by_size = {n: (source, view)} | {m: grid_picture(m, dims, r.mu)[1:] for m in sizes}
    control, name = spacing_control()
    value = st.session_state.get(control.key, control.default)
    near = [v for v in (round(value - control.step, 6), round(value + control.step, 6))
            if control.low <= v <= control.high]
    by_value = {value: (source, view)} | {v: grid_picture(n, dims, r.mu, **{name: v})[1:] for v in near}
    spacing = chosen_spacing()
    by_spacing = {label: (source, view) if label == spacing else grid_picture(n, dims, r.mu, spacing=label)[1:]
                  for label in SPACINGS}
    with picture_box:
        picture_picker(source, view, partial(use_cell, codes, dims), PICKER_KEY,
                       [PickerVariants(LIVE_GROUP, MANIFOLD_N.key, n, by_size),
                        PickerVariants(LIVE_GROUP, control.key, value, by_value),
                        PickerVariants(LIVE_GROUP, MANIFOLD_SPACING, spacing, by_spacing)])
        if not view["marks"]:
            where = ", ".join(f"z{d} = {r.mu[d]:.2f}" for d in dims)
            st.caption(f"The current digit's mu ({where}) lies outside this grid, so it is not marked.")


SPACING_LABELS = {MANIFOLD_EPS: "eps: grid covers the prior's quantiles eps ... 1 - eps",
                  MANIFOLD_ZMAX: "z-range: -z ... +z"}


def spacing_control() -> tuple[Control, str]:
    """The chosen spacing's setting, and its name in settings_axis: gaussian's eps, or linear's z-range."""
    gaussian = SPACINGS[chosen_spacing()] == "gaussian"
    return (EPS, "eps") if gaussian else (ZMAX, "z_max")


def spacing_slider() -> None:
    """The chosen spacing's slider, live over its `st.slider` twin (views/live): the picker holds the grids of its
    neighbouring values (grid_and_picker), so a key press shows the new grid at once."""
    control, _ = spacing_control()
    label = SPACING_LABELS[control.key]
    with fallback(control.key):
        value = st.slider(label, control.low, control.high, control.default, control.step, key=control.key,
                          persist_state="session", bind="query-params")
    live_sliders(None, LIVE_GROUP, [Slider(control.key, label, control.low, control.high, control.step, value)],
                 key=f"live_{control.key}")


@st.fragment
def render() -> None:
    rerun_app_if_requested()
    lm, r = current_model(), current_report()
    st.subheader("The learned manifold")
    autoencoder_notice("manifold")
    others = "" if lm.latent_dim == 2 else "The other dimensions stay at the current digit's mu. "
    st.caption(INTRO + others + PICKING)
    left, right = st.columns([1, 3])
    with left:  # the notice beside the picture, not above it: the picture stays in view on a projector
        slice_notice("two of its dimensions at a time, the others held at the current digit's mu")
        n_box = st.container()
        with fallback(MANIFOLD_SPACING):
            spacing = st.radio("Spacing", list(SPACINGS), key=MANIFOLD_SPACING, persist_state="session",
                               bind="query-params")
        live_choices(None, LIVE_GROUP, MANIFOLD_SPACING, "Spacing", list(SPACINGS), spacing,
                     component_key="live_manifold_spacing")
        spacing_slider()
        dims = dimension_pair(lm.latent_dim, r.kl_per_dim, mount_model(lm.model) if lm.latent_dim > 2 else None)
    grid_and_picker(n_box, right, dims)
