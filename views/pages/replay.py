"""Training replay: the latent map, the manifold and the ELBO curve as they were at chosen epochs of training."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from vae_core.checkpoint import CheckpointError, read_metrics
from vae_core.latent import grid_axis, manifold_grid
from vae_core.model import VAE, VAEConfig
from vae_core.plot_geometry import nice_ticks
from vae_core.registry import ModelEntry
from vae_core.render import class_scatter, decode_images, image_grid, to_png_colour
from vae_core.snapshots import Snapshot, load_snapshot, snapshot_epochs, snapshot_path

from ..common import current_model, load_model, model_entries, model_error
from ..live import (
    PickSource,
    Slider,
    fallback,
    frames_source,
    grid_width,
    live_chart,
    live_frames,
    live_sliders,
    scripts_run,
)
from ..pictures import CLASS_KEY_HTML, picture_html, show_grid, show_picture, shown_width
from ..screens import for_screen

GRID_N, GRID_EPS = 15, 0.05  # Kingma & Welling's Fig. 4 spacing: gaussian quantiles eps ... 1 - eps
EPOCH_KEY = "replay_epoch"
Z_RANGE = (-4.0, 4.0)  # fixed axes, so the map's movement between epochs is visible
MAP_PX, MAP_SHOWN_PX = 720, 360  # the map's picture, drawn 2x the size it is shown at (1.33x in presenter mode)
MAP_GLYPH_RADIUS = 3.5  # glyphs 21 picture px tall: about 10 px on screen, 16 in presenter mode
MANIFOLD_MAX_PX = 440
EPOCH_0_AT = 0.5  # where the ELBO chart's log axis puts epoch 0
LIVE_GROUP = "replay"  # the live epoch slider and the pictures that follow it
PLAY_MS = 900  # Play's time on each snapshot: long enough to see what changed, ten snapshots in nine seconds
ELBO_SERIES = (("train ELBO", "train_elbo", "#0068c9"), ("test ELBO", "test_elbo", "#83c9ff"))
CHART_WIDTH, CHART_HEIGHT = 900, 360  # px, at most: the live chart fills its column up to this


@st.cache_resource(show_spinner="Loading snapshot...", max_entries=32)
def _snapshot(folder: str, epoch: int, mtime: float, _config: VAEConfig) -> Snapshot:
    return load_snapshot(folder, epoch, _config)  # _config is not hashed: a folder has one config


def snapshot_mtime(folder: Path, epoch: int) -> float:
    """The snapshot file's time (0 if it is missing): part of the cache keys, so a re-recorded one is picked up."""
    path = snapshot_path(folder, epoch)
    return path.stat().st_mtime if path.exists() else 0.0


def snapshot_manifold(model: VAE) -> np.ndarray:
    """The snapshot's decoder over a GRID_N x GRID_N grid of z0, z1 (gaussian spacing, GRID_EPS), tiled."""
    codes = manifold_grid(grid_axis(GRID_N, GRID_EPS), latent_dim=model.config.latent_dim)
    return image_grid(decode_images(model, codes), nrow=GRID_N, padding=0)


def map_png(test_mu: torch.Tensor, labels: torch.Tensor) -> bytes:
    """The test digits' posterior means on the fixed Z_RANGE square, each drawn as its label's digit in its
    label's colour (render.class_scatter), with a grey line at every whole unit: as a small palette PNG."""
    picture = class_scatter(test_mu.numpy(), labels.long().numpy(), Z_RANGE, Z_RANGE, MAP_PX, MAP_GLYPH_RADIUS,
                            grid_step=1.0)
    return to_png_colour(picture)


def map_alt(name: str, epoch: int, test_mu: torch.Tensor) -> str:
    """The map's text alternative: what it shows and how far the means have spread at this epoch."""
    lo, hi = Z_RANGE
    outside = int(((test_mu[:, :2] < lo) | (test_mu[:, :2] > hi)).any(1).sum())
    spread = test_mu[:, :2].std(0).tolist()
    return (f"latent map of {name} at training epoch {epoch}: the posterior means of the {len(test_mu):,} test "
            f"digits, each drawn as its label's digit, z0 across and z1 up from {lo:g} to {hi:g}; the means spread "
            f"with standard deviation {spread[0]:.2f} along z0 and {spread[1]:.2f} along z1"
            + (f", {outside} of them outside the square" if outside else ""))


def elbo_figure(rows: list[dict], epoch: int) -> go.Figure:
    """Train and test ELBO per epoch on a log x axis, which cannot show epoch 0: its tick "0" and the chosen
    epoch's line then sit at EPOCH_0_AT, left of epoch 1 (the log of 0 does not exist; the metrics start at epoch
    1 anyway). The ticks are 1, 2, 5 per decade, all labelled at one size (a log axis draws 2-9 smaller)."""
    fig = go.Figure()
    for name, key, colour in ELBO_SERIES:
        pts = elbo_series(rows, key)
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines", name=name,
                                 line=dict(color=colour)))
    last = max([r.get("epoch", 1) for r in rows] + [epoch, 1])
    marker = max(epoch, EPOCH_0_AT)
    left, right = epoch_axis(last)
    fig.add_vline(x=marker, line=dict(color="#ff4b4b", width=2, dash="dash"))
    # on a log axis an annotation's x is in log10 units (a shape's is not); in the right half the label ends at
    # the line, so that it stays inside a phone's narrow chart
    fig.add_annotation(x=math.log10(marker), y=1, yref="paper", yanchor="bottom", showarrow=False,
                       xanchor="right" if math.log10(marker) > (left + right) / 2 else "left",
                       text=f"epoch {epoch}" if epoch else "epoch 0 (untrained)", font=dict(color="#ff4b4b"))
    ticks = epoch_ticks(last)
    fig.update_xaxes(type="log", title="epoch (log scale)", range=[left, right], tickmode="array", tickvals=ticks,
                     ticktext=["0" if t == EPOCH_0_AT else f"{t:g}" for t in ticks])
    fig.update_yaxes(title="ELBO per digit (nats; higher is better)")
    fig.update_layout(height=360, margin=dict(l=60, r=10, t=40, b=40), legend=dict(x=0.99, xanchor="right", y=0.02))
    return fig


def elbo_series(rows: list[dict], key: str) -> list[tuple[int, float]]:
    """(epoch, value) of `key` for each logged epoch (from 1) that has it."""
    return [(r["epoch"], r[key]) for r in rows if r.get("epoch", 0) >= 1 and r.get(key) is not None]


def epoch_axis(last: int) -> tuple[float, float]:
    """The ELBO chart's log epoch axis, in log10 units: from left of EPOCH_0_AT to past the last epoch."""
    return math.log10(0.4), math.log10(last * 1.15)


def epoch_ticks(last: int) -> list[float]:
    """1, 2, 5 per decade up to the axis's end, after EPOCH_0_AT (labelled 0)."""
    return [EPOCH_0_AT] + [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000) if t <= last * 1.15]


def elbo_chart(rows: list[dict], epochs: list[int], name: str) -> dict | None:
    """The live ELBO chart's data (views.live.live_chart): train and test ELBO per epoch on a log axis (epoch 0 at
    EPOCH_0_AT) and, for each snapshot epoch, the marker's place and label and the chart's text alternative; None
    where the training log has no ELBO at all."""
    series = {key: elbo_series(rows, key) for _, key, _ in ELBO_SERIES}
    values = [v for points in series.values() for _, v in points]
    if not values:
        return None
    last = max([r.get("epoch", 1) for r in rows] + epochs + [1])
    pad = 0.05 * ((max(values) - min(values)) or 1.0)
    lo, hi = min(values) - pad, max(values) + pad
    test = dict(series["test_elbo"])
    train = dict(series["train_elbo"])
    span = (f"the test ELBO goes from {test[min(test)]:.1f} at epoch {min(test)} to {test[max(test)]:.1f} nats at "
            f"epoch {max(test)}" if test else "no test ELBO was logged")

    def mark(epoch: int) -> dict:
        if epoch == 0:
            here = "the untrained network, before the first epoch's figures"
        elif epoch in test:
            here = f"test ELBO {test[epoch]:.1f}" + (f", train {train[epoch]:.1f}" if epoch in train else "")
        else:
            here = "not in the training log"
        return {"x": max(epoch, EPOCH_0_AT), "label": f"epoch {epoch}" if epoch else "epoch 0 (untrained)",
                "alt": f"ELBO per digit of {name} during training, train and test, epochs 1 to {last} on a log "
                       f"scale: {span}. Marked: epoch {epoch}, {here}."}

    return {
        "series": [{"name": label, "colour": colour, "x": [e for e, _ in series[key]],
                    "y": [round(v, 3) for _, v in series[key]]} for label, key, colour in ELBO_SERIES],
        "x": {"lo": epoch_axis(last)[0], "hi": epoch_axis(last)[1], "log": True, "title": "epoch (log scale)",
              "ticks": [[t, "0" if t == EPOCH_0_AT else f"{t:g}"] for t in epoch_ticks(last)]},
        "y": {"lo": lo, "hi": hi, "log": False, "title": "ELBO per digit (nats; higher is better)",
              "ticks": [[t, f"{t:g}"] for t in nice_ticks(lo, hi)]},
        "marks": {str(e): mark(e) for e in epochs},
        "width": CHART_WIDTH, "height": CHART_HEIGHT,
    }


def replay_model() -> ModelEntry | None:
    """The current model if it has snapshots, else the first shipped model that does (with a note); None if none."""
    lm = current_model()
    entries = {e.name: e for e in model_entries() if not e.error}
    current = entries.get(lm.name)
    if current is not None and snapshot_epochs(current.path):
        return current
    fallback = next((e for e in entries.values() if snapshot_epochs(e.path)), None)
    if fallback is None:
        st.info("No model has training snapshots. Train one with `--snapshot-epochs` to replay its training.")
    else:
        st.info(f"**{lm.name}** has no training snapshots; replaying **{fallback.name}** instead.")
    return fallback


@dataclass(frozen=True)
class EpochPictures:
    """What the replay shows of one snapshot: the latent map (PNG bytes) and the manifold (a uint8 grid), each
    with its text alternative and caption; or, for a snapshot that cannot be loaded, why (`error`)."""

    map_png: bytes = b""
    map_alt: str = ""
    map_caption: str = ""
    manifold: np.ndarray | None = None
    manifold_alt: str = ""
    manifold_caption: str = ""
    error: str | None = None


@st.cache_resource(show_spinner="Drawing every epoch of the replay...", max_entries=8)
def _replay_pictures(folder: str, mtimes: tuple[float, ...], name: str, _config: VAEConfig,
                     _labels: torch.Tensor) -> dict[int, EpochPictures]:
    epochs, pictures = snapshot_epochs(Path(folder)), {}
    for epoch, mtime in zip(epochs, mtimes, strict=True):
        try:
            snap = _snapshot(folder, epoch, mtime, _config)
        except CheckpointError as e:
            pictures[epoch] = EpochPictures(error=str(e))
            continue
        pictures[epoch] = EpochPictures(
            map_png(snap.test_mu, _labels), map_alt(name, epoch, snap.test_mu),
            f"test digits' mu at epoch {epoch}: z0 across, z1 up, {Z_RANGE[0]:g} to {Z_RANGE[1]:g}, a grey line at "
            "each whole unit",
            snapshot_manifold(snap.model), f"{GRID_N} by {GRID_N} grid of digits decoded across the first two latent "
            f"dimensions by {name} at training epoch {epoch}",
            f"manifold at epoch {epoch}: {GRID_N} x {GRID_N} codes, gaussian spacing, eps {GRID_EPS}")
    return pictures


def replay_pictures(folder: Path, name: str, config: VAEConfig, labels: torch.Tensor) -> dict[int, EpochPictures]:
    """Every snapshot's pictures, drawn once for every session (keyed by the snapshots' file times, so re-recorded
    ones are picked up): the live pictures hold them all, so moving the epoch slider never waits for Python."""
    epochs = snapshot_epochs(folder)
    return _replay_pictures(str(folder), tuple(snapshot_mtime(folder, e) for e in epochs), name, config, labels)


@st.cache_resource(show_spinner=False, max_entries=16)
def _frame_sources(folder: str, mtimes: tuple[float, ...], name: str, map_width: int, manifold_width: int,
                   _config: VAEConfig, _labels: torch.Tensor) -> tuple[PickSource, PickSource]:
    pictures = _replay_pictures(folder, mtimes, name, _config, _labels)

    def frames(draw) -> PickSource:
        return frames_source({e: f'<p class="vae-frame-error">{html.escape(p.error)}</p>' if p.error else draw(p)
                              for e, p in pictures.items()})

    return (frames(lambda p: picture_html(p.map_png, p.map_alt, p.map_caption, map_width, smooth=True)),
            frames(lambda p: picture_html(p.manifold, p.manifold_alt, p.manifold_caption, manifold_width)))


def frame_sources(folder: Path, name: str, config: VAEConfig, labels: torch.Tensor) -> tuple[PickSource, PickSource]:
    """The live map's and manifold's frames (views.live.frames_source): every epoch's picture as show_picture and
    show_grid draw it (larger in presenter mode), made once for every session."""
    mtimes = tuple(snapshot_mtime(folder, e) for e in snapshot_epochs(folder))
    map_width = shown_width(1, MAP_SHOWN_PX)  # as show_picture shows the square map (smooth)
    manifold_width = grid_width(GRID_N * 28, MANIFOLD_MAX_PX)  # as show_grid shows the manifold
    return _frame_sources(str(folder), mtimes, name, map_width, manifold_width, config, labels)


@st.fragment
def replay(folder: Path, name: str, config: VAEConfig, labels: torch.Tensor) -> None:
    """The epoch slider and, at that epoch, the latent map, the manifold and the ELBO curve. The slider is live,
    and so are the two pictures (views.live.live_frames): they hold every epoch's, and follow the thumb as it
    moves; a release reruns this, and the curve's marker follows."""
    epochs = snapshot_epochs(folder)
    if EPOCH_KEY in st.session_state and st.session_state[EPOCH_KEY] not in epochs:
        del st.session_state[EPOCH_KEY]
    with fallback(EPOCH_KEY):
        epoch = st.select_slider("Epoch", epochs, value=epochs[-1], key=EPOCH_KEY, bind="query-params",
                                 help="The snapshots recorded during training; epoch 0 is the untrained network.")
    live_sliders(None, LIVE_GROUP, [Slider(EPOCH_KEY, "Epoch", 0, len(epochs) - 1, 1, epoch, tuple(epochs),
                                           play_ms=PLAY_MS)], key="live_replay_slider")
    pictures = replay_pictures(folder, name, config, labels)
    if pictures[epoch].error:
        st.error(f"The snapshot of epoch {epoch} cannot be loaded: {pictures[epoch].error}")
    map_frames, manifold_frames = frame_sources(folder, name, config, labels)
    at = pictures[epoch]
    left, right = st.columns(2)
    with left:
        if not scripts_run() and not at.error:  # the server's picture, for a browser without the live script
            with fallback("replay_map"):
                show_picture(at.map_png, at.map_alt, at.map_caption, MAP_SHOWN_PX, smooth=True)
        live_frames(LIVE_GROUP, EPOCH_KEY, epoch, map_frames, key="live_replay_map")
        st.html(CLASS_KEY_HTML)
    with right:
        if not scripts_run() and not at.error:
            with fallback("replay_manifold"):
                show_grid(at.manifold, at.manifold_alt, at.manifold_caption, max_width=MANIFOLD_MAX_PX)
        live_frames(LIVE_GROUP, EPOCH_KEY, epoch, manifold_frames, key="live_replay_manifold")
    rows = read_metrics(folder)
    chart = elbo_chart(rows, epochs, name)
    if chart is not None:
        if not scripts_run():
            with fallback("replay_elbo"):
                st.plotly_chart(for_screen(elbo_figure(rows, epoch)), key="replay_elbo")
        live_chart(LIVE_GROUP, EPOCH_KEY, epoch, chart, key="live_replay_elbo")
    else:
        st.caption("This model's training log (metrics.jsonl) is missing or has no ELBO, so no ELBO curve.")


def render() -> None:
    st.subheader("Training replay")
    st.caption(
        "How the latent space takes shape during training: the encoder's means of the 10,000 test digits, the "
        "decoded manifold, and the ELBO, at the epochs where a snapshot was kept (epoch 0 is the untrained network). "
        "Drag the epoch slider, or press Play, and watch the training unfold. The latent map uses the "
        "snapshot's encoder means; the manifold uses the snapshot's decoder."
    )
    entry = replay_model()
    if entry is None:
        return
    lm = current_model()
    if entry.name != lm.name:
        try:  # the replayed model's labels and config, cached like the sidebar's
            lm = load_model(entry)
        except CheckpointError as e:
            model_error(e)
            return
    if lm.latent_dim != 2:
        st.info(f"**{lm.name}** has {lm.latent_dim} latent dimensions; the replay draws only 2-D models.")
        return
    replay(entry.path, lm.name, lm.model.config, lm.latents["test_labels"])
