"""Mean perturbation: move the posterior mean of the current digit along each latent dimension."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch
from streamlit.delta_generator import DeltaGenerator

from vae_core.analysis import ACTIVE_KL_NATS, DigitReport, active_dims
from vae_core.latent import shift, traversal
from vae_core.model import VAE
from vae_core.registry import LoadedModel
from vae_core.render import decode_images

from ..common import autoencoder_notice, current_model, current_report, get_digit
from ..controls import MEAN_SHIFT, MEAN_UNIT, MEAN_UNITS, POSTERIOR_UNIT
from ..live import (
    Slider,
    decoded_mu,
    fallback,
    frames_source,
    live_choices,
    live_frames,
    live_picture,
    live_reset,
    live_sliders,
    model_sha1,
    mount_model,
    picture_variants,
    posterior_params,
    scripts_run,
)
from ..pictures import show_picture, show_table, shown_width, table_html

OFFSETS = torch.arange(-3.0, 4.0)  # the traversal table's columns: -3 ... +3
SLIDER_KEY = MEAN_SHIFT.key.replace("{d}", "{}")  # .format(dimension)
TABLE_CELL_PX = 56  # each traversal table cell: 2 screen px per model pixel


def slider_label(dim: int, kl: float, active: bool) -> str:
    """A slider's label: the dimension, its KL, and whether the decoder ignores it."""
    return f"z{dim} · KL {kl:.2f}" + ("" if active else " · inactive")


@dataclass(frozen=True)
class Perturbation:
    """What the page shows besides the reconstruction: the moved code's picture and the traversal table."""

    perturbed: np.ndarray  # (28, 28) uint8
    table: np.ndarray  # the traversal table's cells, uint8 (rows, len(OFFSETS), 28, 28)
    dims: list[int]  # its rows' dimensions


def offset_unit(report: DigitReport, posterior_unit: bool) -> torch.Tensor:
    """The length of one offset step in each dimension: the posterior sigma_i, or the prior's 1."""
    return report.std if posterior_unit else torch.ones_like(report.std)


def perturbed_digit(model: VAE, mu: torch.Tensor, unit: torch.Tensor, offsets: torch.Tensor) -> np.ndarray:
    """The decoder mean at mu + offsets * unit."""
    return decode_images(model, shift(mu, unit, offsets))[0]


def traversal_table(model: VAE, mu: torch.Tensor, unit: torch.Tensor, dims: list[int]) -> np.ndarray:
    """The decoded cells (len(dims), len(OFFSETS), 28, 28): one row per dimension in `dims`, moved by each of
    OFFSETS (columns) from mu."""
    cells = decode_images(model, traversal(mu, unit, dims, OFFSETS))
    return cells.reshape(len(dims), len(OFFSETS), *cells.shape[1:])


def compute(model: VAE, report: DigitReport, offsets: torch.Tensor, posterior_unit: bool) -> Perturbation:
    """The page's pictures for the slider offsets (one per dimension) in the chosen unit; table rows by KL."""
    unit = offset_unit(report, posterior_unit)
    dims = active_dims(report.kl_per_dim)[0].tolist()
    table = traversal_table(model, report.mu, unit, dims)
    return Perturbation(perturbed_digit(model, report.mu, unit, offsets), table, dims)


@st.cache_data(max_entries=64, show_spinner=False)
def shared_table(weights: str, _model: VAE, mu: np.ndarray, unit: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    """`traversal_table` once for every session with the same weights, digit and unit: the sliders do not move it,
    and it cost 6 ms on every release. Keyed by the weights' SHA-256 and numpy arrays (hashed by value), never by
    session."""
    return traversal_table(_model, torch.from_numpy(mu), torch.from_numpy(unit), list(dims))


def traversal_table_parts(lm: LoadedModel, r: DigitReport, dims: list[int], name: str) -> dict[str, tuple]:
    """The traversal table in each unit (MEAN_UNITS), as show_table's arguments: cells, row and column headers,
    corner, alt and caption."""
    weights = lm.card.get("weights_sha256", lm.name)
    parts = {}
    for unit_name in MEAN_UNITS:
        unit = offset_unit(r, unit_name == POSTERIOR_UNIT)
        parts[unit_name] = (shared_table(weights, lm.model, r.mu.numpy(), unit.numpy(), tuple(dims)),
                            [f"z{d}" for d in dims], [f"{o:+g}" for o in OFFSETS.tolist()], "offset",
                            f"{name} decoded with {{row}} moved {{column}} {unit_name}",
                            f"traversal table in {unit_name}: rows z_i, largest KL first; columns: offset")
    return parts


def reset_sliders(latent_dim: int) -> None:
    """The Reset button's callback: every offset back to 0."""
    for d in range(latent_dim):
        st.session_state[SLIDER_KEY.format(d)] = 0.0


@st.fragment
def offsets_and_picture(sliders_box: DeltaGenerator, picture_box: DeltaGenerator, unit_name: str, alt: str,
                        caption: str) -> None:
    """The offset sliders (in `sliders_box`) and the one picture they change (in `picture_box`), both containers of
    the page's fragment: a fragment of its own inside the page's, so that a slider's release reruns and sends these
    rather than the whole page with its traversal table (benchmarks/RESULTS.md, "Nested fragments"). The page's
    fragment calls it on each of its runs, so a new digit, model or unit reaches it. It mounts the model itself (the
    live sliders and picture are its own), so that a browser lacking the weights gets them in a release's rerun.
    The live picture holds the other unit too, which the live unit choice shows at once."""
    lm, r = current_model(), current_report()
    unit = offset_unit(r, unit_name == POSTERIOR_UNIT)
    order, active = active_dims(r.kl_per_dim)
    with sliders_box:
        sha1 = mount_model(lm.model)
    reset_box = sliders_box.container()
    with sliders_box, st.container(height=430 if lm.latent_dim > 5 else "content"):
        live = []
        with fallback("mean_sliders"):
            for d, is_active in zip(order.tolist(), active.tolist()):
                key = SLIDER_KEY.format(d)
                label = slider_label(d, r.kl_per_dim[d].item(), is_active)
                # bound to the URL: a shared link keeps the offsets (only the non-zero ones appear in it)
                value = st.slider(label, MEAN_SHIFT.low, MEAN_SHIFT.high, MEAN_SHIFT.default,
                                  step=MEAN_SHIFT.step, format="%.1f", key=key, bind="query-params")
                live.append(Slider(key, label, MEAN_SHIFT.low, MEAN_SHIFT.high, MEAN_SHIFT.step, value))
        live_sliders(sha1, "mean", live, key="live_mean_sliders")
    with reset_box:  # above the sliders; the live Reset moves them and the picture at once
        with fallback("mean_reset"):
            st.button("Reset", key="mean_reset", on_click=reset_sliders, args=(lm.latent_dim,))
        live_reset(sha1, "mean", "Reset", live, MEAN_SHIFT.default, component_key="live_mean_reset")
    offsets = torch.tensor([st.session_state[SLIDER_KEY.format(d)] for d in range(lm.latent_dim)])
    moved = ", ".join(f"z{d} {v:+.1f}" for d, v in enumerate(offsets.tolist()) if v) or "no offsets"
    with picture_box:
        name = get_digit().name
        with fallback("mean_picture"):
            show_picture(perturbed_digit(lm.model, r.mu, unit, offsets),
                         alt.format(offsets=moved, name=name, unit=unit_name), caption, 280)
        units = {u: {"unit": "std" if u == POSTERIOR_UNIT else [1.0] * lm.latent_dim, "words": {"unit": u}}
                 for u in MEAN_UNITS}  # live.js MODES.shift: "std" is the posterior's sigma
        params = {**posterior_params(r.mu, r.std, name), **units[unit_name],
                  "keys": [SLIDER_KEY.format(d) for d in range(lm.latent_dim)],
                  **picture_variants({MEAN_UNIT.key: (unit_name, {u: p for u, p in units.items() if u != unit_name})})}
        live_picture(sha1, "mean", "shift", params, 1, 1, shown_width(28, 280), alt, caption, key="live_mean_picture")


@st.fragment
def render() -> None:
    lm, r = current_model(), current_report()
    order, active = active_dims(r.kl_per_dim)
    dims = order.tolist()
    st.subheader("Effect of mean perturbation")
    autoencoder_notice("mean")
    st.caption(
        "Each slider moves one coordinate of the posterior mean mu of the current digit; the decoder mean of the "
        "moved code is shown. Dimensions are sorted by their KL to the prior, largest first: the inactive ones "
        f"(KL < {ACTIVE_KL_NATS} nats) are ignored by the decoder, so moving them changes (almost) nothing."
    )
    with fallback(MEAN_UNIT.key):
        unit_name = st.radio("Unit of the offsets", MEAN_UNITS, horizontal=True, key=MEAN_UNIT.key,
                             bind="query-params")
    live_choices(model_sha1(lm.model), "mean", MEAN_UNIT.key, "Unit of the offsets", MEAN_UNITS, unit_name,
                 component_key="live_mean_unit")

    left, right = st.columns([2, 3])
    with right:
        cols = st.columns(2)
    name = get_digit().name
    alt = "{name} decoded from mu with offsets {offsets} (unit: {unit})"
    caption = "perturbed: decoded mu + offsets"
    offsets_and_picture(left, cols[0], unit_name, alt, caption)
    with cols[1]:
        decoded_mu(model_sha1(lm.model), r.reconstruction, r.mu, r.std, name,
                   "{name} decoded from mu, unperturbed", "unperturbed: decoded mu", "mean_mu")

    st.markdown("**Traversal table**: each row moves one dimension by -3 ... +3 units of the offsets, the others "
                "stay at mu.")
    parts = traversal_table_parts(lm, r, dims, name)
    if not scripts_run():  # the server's table, for a browser without the live script
        with fallback("mean_table"):
            show_table(*parts[unit_name], TABLE_CELL_PX)
    # the live table holds both units' (as show_table draws them), so the live unit choice swaps them at once
    tables = {u: table_html(*p, shown_width(28, TABLE_CELL_PX)) for u, p in parts.items()}
    live_frames("mean", MEAN_UNIT.key, unit_name, frames_source(tables), key="live_mean_table")
