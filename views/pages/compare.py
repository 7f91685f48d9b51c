"""Latent sizes side by side (Kingma & Welling Fig. 2): figures, training curves, reconstructions."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from vae_core.analysis import parameter_count, reconstruct_batch
from vae_core.checkpoint import CheckpointError, read_metrics
from vae_core.registry import VAE_GROUP, LoadedModel, ModelEntry
from vae_core.render import decode_probs, image_grid, to_uint8

from ..common import current_model, get_digit, load_model, model_entries, shipped_test_digits
from ..pictures import show_grid
from ..screens import for_screen


def _loaded_models():
    """The shipped VAEs (the objectives lab has its own page, Compare objectives)."""
    out = []
    for entry in model_entries():
        if entry.error or entry.group != VAE_GROUP:
            continue
        try:
            out.append((entry, load_model(entry)))
        except CheckpointError as e:
            st.warning(f"{entry.name} skipped: {e}")
    return out


TABLE_NOTES = (
    "**test ELBO** (nats, higher is better): the bound the model is trained on, averaged over the 10,000 "
    "binarized test digits; negative because it bounds log p(x), the log of a probability below 1. "
    "**test NLL** (nats, lower is better): -log p(x) itself, estimated by importance weighting (Burda et al., 2015) "
    "and positive because of the minus sign; it is always below -ELBO, and the gap is what the bound misses. "
    "**IW samples × digits**: the number of codes drawn from q(z|x) for each digit's estimate, times the number of "
    "test digits averaged. **training time** is wall-clock time on the machine in **trained on**: a GPU run and a "
    "CPU run are not comparable. **active units**: latent dimensions whose mean mu varies over the test digits."
)


def trained_on(device: str) -> str:
    """'GPU (NVIDIA H100 ...)' or 'CPU (1 thread)' from the card's device line ("cpu (1 threads)" in older cards)."""
    if device.startswith("cpu"):
        return "CPU" + device[3:].replace("(1 threads)", "(1 thread)")
    return f"GPU ({device})" if device else "unknown"


def _summary_row(entry, lm) -> dict:
    m, t = lm.card.get("metrics", {}), lm.card.get("training", {})
    nll = m.get("test_nll")
    return {
        "model": entry.name,
        "latent size": lm.latent_dim,
        "parameters": parameter_count(lm.model),
        "epochs": t.get("epochs"),
        "training time (min)": round(t.get("wall_time_s", 0) / 60, 1),
        "trained on": trained_on(t.get("device", "")),
        "test ELBO": m.get("test_elbo"),
        "test NLL": nll,
        "IW samples × digits": f"{m.get('iw_samples')} × {m.get('n_test')}" if nll is not None else None,
        "active units": m.get("active_units"),
    }


def curves_figure(models: list[tuple[ModelEntry, LoadedModel]]) -> go.Figure:
    """Each model's test ELBO per epoch from its training log, on one log-x chart."""
    fig = go.Figure()
    for entry, _ in models:
        rows = read_metrics(entry.path)
        fig.add_scatter(x=[r["epoch"] for r in rows], y=[r["test_elbo"] for r in rows], mode="lines", name=entry.name)
    fig.update_layout(
        # Titled in the page, not in the figure: on a phone plotly's tool bar sat over the title's middle.
        height=340, margin=dict(l=10, r=10, t=28, b=10),  # t: room for the tool bar
        xaxis_title="epoch", yaxis_title="test ELBO (nats)", xaxis_type="log",
        legend=dict(orientation="h", x=0, y=0, yref="container", yanchor="bottom"),  # under: the curves keep the width
    )
    return fig


def class_examples(lm: LoadedModel) -> tuple[np.ndarray, str]:
    """One digit per class (10, 784) and what they are: the first real test digit of each class, or, when the
    shipped test digits are unavailable, the decoded mean code of each class under `lm`."""
    digits = shipped_test_digits()
    if digits is not None:
        firsts = [int(digits.of_class(c)[0]) for c in range(10)]
        return np.stack([digits.grey(i) for i in firsts]), "the first test digit of each class"
    return decode_probs(lm.model, lm.latents["class_centroids"]), "the decoded mean code of each class"


def compute(x: np.ndarray, examples: np.ndarray, others: list[LoadedModel]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The inputs (the digit x, then `examples`) tiled in a row, and each of the `others`' reconstructions of them
    in the same layout: every model sees the same pictures."""
    inputs = np.concatenate([x.reshape(1, -1), examples])
    reconstructions = [image_grid(reconstruct_batch(m.model, inputs), nrow=len(inputs)) for m in others]
    return image_grid(to_uint8(inputs), nrow=len(inputs)), reconstructions


@st.fragment
def render() -> None:
    st.subheader("Latent sizes side by side")
    st.caption(
        "Kingma & Welling's Fig. 2 compares latent sizes: a larger z explains digits better (higher ELBO), "
        "but only the units that carry information (KL > 0) are used; the rest collapse to the prior."
    )
    models = _loaded_models()
    st.dataframe([_summary_row(e, lm) for e, lm in models], hide_index=True)
    st.caption(TABLE_NOTES)
    st.markdown("**Test ELBO during training** (higher is better)")
    st.plotly_chart(for_screen(curves_figure(models)), key="compare_curves")

    examples, what = class_examples(current_model())
    st.markdown(f"**Reconstructions of the same digits** by every model: the current digit, then {what}.")
    inputs, reconstructions = compute(get_digit().x, examples, [other for _, other in models])
    show_grid(inputs, f"row of input digits: the current digit, then {what}", "input", max_width=720)
    for (entry, other), grid in zip(models, reconstructions):
        show_grid(grid, f"the same digits reconstructed by {entry.name}, {other.latent_dim} latent dimensions",
                  f"{entry.name} (z = {other.latent_dim})", max_width=720)
