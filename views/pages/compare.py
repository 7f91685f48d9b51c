"""Latent sizes side by side (Kingma & Welling Fig. 2): figures, training curves, reconstructions."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from vae_core.analysis import parameter_count, reconstruct_batch
from vae_core.checkpoint import CheckpointError, read_metrics
from vae_core.render import decode_probs, image_grid, to_uint8

from ..common import current_model, get_digit, load_model, model_entries, show_grid


def _loaded_models():
    out = []
    for entry in model_entries():
        if entry.error:
            continue
        try:
            out.append((entry, load_model(entry)))
        except CheckpointError as e:
            st.warning(f"{entry.name} skipped: {e}")
    return out


def _summary_row(entry, lm) -> dict:
    m, t = lm.card.get("metrics", {}), lm.card.get("training", {})
    nll = m.get("test_nll")
    return {
        "model": entry.name,
        "latent size": lm.latent_dim,
        "parameters": parameter_count(lm.model),
        "epochs": t.get("epochs"),
        "training time (min)": round(t.get("wall_time_s", 0) / 60, 1),
        "test ELBO": m.get("test_elbo"),
        "test NLL": nll,
        "IW samples × digits": f"{m.get('iw_samples')} × {m.get('n_test')}" if nll is not None else None,
        "active units": m.get("active_units"),
    }


def curves_figure(models) -> go.Figure:
    fig = go.Figure()
    for entry, _ in models:
        rows = read_metrics(entry.path)
        fig.add_scatter(x=[r["epoch"] for r in rows], y=[r["test_elbo"] for r in rows], mode="lines", name=entry.name)
    fig.update_layout(
        height=340, margin=dict(l=10, r=10, t=40, b=10), title="Test ELBO during training (higher is better)",
        xaxis_title="epoch", yaxis_title="test ELBO (nats)", xaxis_type="log",
    )
    return fig


@st.fragment
def render() -> None:
    st.subheader("Latent sizes side by side")
    st.caption(
        "Kingma & Welling's Fig. 2 compares latent sizes: a larger z explains digits better (higher ELBO), "
        "but only the units that carry information (KL > 0) are used; the rest collapse to the prior."
    )
    models = _loaded_models()
    st.dataframe([_summary_row(e, lm) for e, lm in models], hide_index=True)
    st.plotly_chart(curves_figure(models), key="compare_curves")

    st.markdown("**Reconstructions of the same digits**: the current digit, then the mean digit of each class.")
    lm = current_model()
    inputs = np.concatenate([get_digit().x.reshape(1, -1), decode_probs(lm.model, lm.latents["class_centroids"])])
    show_grid(image_grid(to_uint8(inputs), nrow=11), "input", max_width=720)
    for entry, other in models:
        recon = reconstruct_batch(other.model, inputs)
        show_grid(image_grid(recon, nrow=11), f"{entry.name} (z = {other.latent_dim})", max_width=720)
