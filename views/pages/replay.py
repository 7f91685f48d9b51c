"""Training replay: the latent map, the manifold and the ELBO curve as they were at chosen epochs of training."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from vae_core.checkpoint import CheckpointError, read_metrics
from vae_core.latent import grid_axis, group_by_label, manifold_grid
from vae_core.model import VAE, VAEConfig
from vae_core.registry import ModelEntry
from vae_core.render import decode_images, image_grid
from vae_core.snapshots import Snapshot, load_snapshot, snapshot_epochs, snapshot_path

from ..common import current_model, load_model, model_entries, model_error
from ..pictures import show_grid
from ..screens import for_screen
from .map import CLASS_COLOURS

GRID_N, GRID_EPS = 15, 0.05  # Kingma & Welling's Fig. 4 spacing: gaussian quantiles eps ... 1 - eps
EPOCH_KEY = "replay_epoch"
Z_RANGE = [-4.0, 4.0]  # fixed axes, so the map's movement between epochs is visible


@st.cache_resource(show_spinner="Loading snapshot...", max_entries=32)
def _snapshot(folder: str, epoch: int, mtime: float, _config: VAEConfig) -> Snapshot:
    return load_snapshot(folder, epoch, _config)  # _config is not hashed: a folder has one config


def cached_snapshot(folder: Path, epoch: int, config: VAEConfig) -> Snapshot:
    """Cached per folder, epoch and file time, so a re-recorded snapshot is picked up."""
    path = snapshot_path(folder, epoch)
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _snapshot(str(folder), epoch, mtime, config)


def snapshot_manifold(model: VAE) -> np.ndarray:
    """The snapshot's decoder over a GRID_N x GRID_N grid of z0, z1 (gaussian spacing, GRID_EPS), tiled."""
    codes = manifold_grid(grid_axis(GRID_N, GRID_EPS), latent_dim=model.config.latent_dim)
    return image_grid(decode_images(model, codes), nrow=GRID_N, padding=0)


def scatter_figure(test_mu: torch.Tensor, labels: torch.Tensor, title: str) -> go.Figure:
    """The test digits' posterior means, one trace per label (the legend toggles classes)."""
    fig = go.Figure()
    for label, idx in enumerate(group_by_label(labels)):
        xy = test_mu[idx]
        fig.add_trace(go.Scattergl(
            x=xy[:, 0].numpy(), y=xy[:, 1].numpy(), mode="markers", name=str(label), hoverinfo="skip",
            marker=dict(size=3, color=CLASS_COLOURS[label], opacity=0.6),
        ))
    fig.update_xaxes(title="z0", range=Z_RANGE, zeroline=False)
    fig.update_yaxes(title="z1", range=Z_RANGE, zeroline=False, scaleanchor="x")
    fig.update_layout(title=title, height=460, margin=dict(l=50, r=10, t=40, b=40),
                      legend=dict(title="label", itemsizing="constant"))
    return fig


def elbo_figure(rows: list[dict], epoch: int) -> go.Figure:
    """Train and test ELBO per epoch on a log x axis, which cannot show epoch 0: the chosen epoch's line
    sits at 0.5 then, left of epoch 1 (the log of 0 does not exist; the metrics start at epoch 1 anyway)."""
    fig = go.Figure()
    for name, key in (("train ELBO", "train_elbo"), ("test ELBO", "test_elbo")):
        pts = [(r["epoch"], r[key]) for r in rows if r.get("epoch", 0) >= 1 and r.get(key) is not None]
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines", name=name))
    last = max([r.get("epoch", 1) for r in rows] + [epoch, 1])
    marker = max(epoch, 0.5)
    fig.add_vline(x=marker, line=dict(color="#ff4b4b", width=2, dash="dash"))
    # on a log axis an annotation's x is in log10 units (a shape's is not)
    fig.add_annotation(x=math.log10(marker), y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=f"epoch {epoch}" if epoch else "epoch 0 (untrained)", font=dict(color="#ff4b4b"))
    fig.update_xaxes(type="log", title="epoch (log scale)", range=[math.log10(0.4), math.log10(last * 1.15)])
    fig.update_yaxes(title="ELBO per digit (nats; higher is better)")
    fig.update_layout(height=360, margin=dict(l=60, r=10, t=40, b=40), legend=dict(x=0.99, xanchor="right", y=0.02))
    return fig


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


@st.fragment
def replay(folder: Path, name: str, config: VAEConfig, labels: torch.Tensor) -> None:
    """The epoch slider and, at that epoch, the latent map, the manifold and the ELBO curve."""
    epochs = snapshot_epochs(folder)
    if EPOCH_KEY in st.session_state and st.session_state[EPOCH_KEY] not in epochs:
        del st.session_state[EPOCH_KEY]
    epoch = st.select_slider("Epoch", epochs, value=epochs[-1], key=EPOCH_KEY, bind="query-params",
                             help="The snapshots recorded during training; epoch 0 is the untrained network.")
    try:
        snap = cached_snapshot(folder, epoch, config)
    except CheckpointError as e:
        model_error(e)
        return
    left, right = st.columns(2)
    with left:
        title = f"{name}: test digits' mu at epoch {epoch}"
        st.plotly_chart(for_screen(scatter_figure(snap.test_mu, labels, title), presenter_height=1.2),
                        key="replay_map")
    with right:
        caption = f"manifold at epoch {epoch}: {GRID_N} x {GRID_N} codes, gaussian spacing, eps {GRID_EPS}"
        show_grid(snapshot_manifold(snap.model), f"{GRID_N} by {GRID_N} grid of digits decoded across the first two "
                  f"latent dimensions by {name} at training epoch {epoch}", caption, max_width=440)
    rows = read_metrics(folder)
    if rows:
        st.plotly_chart(for_screen(elbo_figure(rows, epoch)), key="replay_elbo")
    else:
        st.caption("This model has no training log (metrics.jsonl), so no ELBO curve.")


def render() -> None:
    st.subheader("Training replay")
    st.caption(
        "How the latent space takes shape during training: the encoder's means of the 10,000 test digits, the "
        "decoded manifold, and the ELBO, at the epochs where a snapshot was kept. The latent map uses the "
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
