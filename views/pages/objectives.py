"""Compare objectives: an autoencoder, the VAE and beta-VAEs on the same architecture and data (why the KL matters)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from vae_core.analysis import reconstruct_batch
from vae_core.checkpoint import CheckpointError
from vae_core.evaluate import ACTIVE_MU_VARIANCE
from vae_core.latent import prior_samples
from vae_core.registry import LAB_GROUP, LoadedModel, ModelEntry, objective_name
from vae_core.render import class_scatter, decode_images, image_grid, to_uint8

from ..common import get_digit, load_model, model_entries, seed, stream_seed
from ..pictures import png_data_uri, show_grid
from ..screens import for_screen
from .compare import class_examples, trained_on

PRIOR_SAMPLES = 11  # one row as long as the reconstructions' row
PRIOR_STREAM = "objectives prior"  # the random stream of the prior codes (common.stream_seed)
MAP_PX = 480  # side of each 2-D map's picture of points


@dataclass
class Compared:
    """One model on the page: its picker entry, the loaded model and its short name for figures."""

    entry: ModelEntry
    lm: LoadedModel

    @property
    def kind(self) -> str:
        """"autoencoder", "VAE" or "β-VAE (β = 4)"."""
        return objective_name(*self.lm.objective)

    @property
    def reference(self) -> bool:
        """A VAE outside the lab (mnist-z20, mnist-z2): trained longer, shown for reference."""
        return self.entry.group != LAB_GROUP

    @property
    def short(self) -> str:
        """Its name and kind, and for a reference model its different schedule."""
        if self.reference:
            return f"{self.entry.name}: {self.kind}, {self.epochs} epochs"
        return f"{self.entry.name}: {self.kind}"

    @property
    def epochs(self) -> int | None:
        return self.lm.card.get("training", {}).get("epochs")

    @property
    def metrics(self) -> dict:
        return self.lm.card.get("metrics", {})


def compared_models() -> dict[int, list[Compared]]:
    """The lab's models grouped by latent size, each group followed by the VAE of that size outside the lab (the
    reference trained longer); sizes with no lab model are left out."""
    entries = [e for e in model_entries() if not e.error]
    sizes = sorted({e.latent_dim for e in entries if e.group == LAB_GROUP}, reverse=True)
    groups: dict[int, list[Compared]] = {}
    for size in sizes:
        lab = [e for e in entries if e.group == LAB_GROUP and e.latent_dim == size]
        references = [e for e in entries if e.group != LAB_GROUP and e.latent_dim == size]
        for entry in lab + references:
            try:
                groups.setdefault(size, []).append(Compared(entry, load_model(entry)))
            except CheckpointError as e:
                st.warning(f"{entry.name} skipped: {e}")
    return groups


def summary_row(c: Compared) -> dict:
    """The table's row: the evaluator's figures from the card (ELBO at beta = 1 for every model)."""
    m, t = c.metrics, c.lm.card.get("training", {})
    autoencoder = c.lm.is_autoencoder
    iw = f"{m.get('iw_samples')} × {m.get('iw_digits', m.get('n_test'))}"
    return {
        "model": c.entry.name,
        "objective": c.kind,
        "latent size": c.lm.latent_dim,
        "epochs": c.epochs,
        "trained on": trained_on(t.get("device", "")),
        "test ELBO (β = 1)": m.get("test_elbo"),
        "E_q log p(x|z)": m.get("test_log_likelihood"),
        "KL": m.get("test_kl"),
        "test NLL (IW)": m.get("test_nll"),
        "IW samples × digits": None if autoencoder else iw,
        "active units": m.get("active_units"),
    }


def reconstructions(inputs: np.ndarray, models: list[Compared]) -> list[np.ndarray]:
    """Each model's reconstructions (decoder mean at z = mu) of the same inputs (N, 784), tiled in one row."""
    return [image_grid(reconstruct_batch(c.lm.model, inputs), nrow=len(inputs)) for c in models]


def prior_rows(models: list[Compared], draw_seed: int, n: int = PRIOR_SAMPLES) -> list[np.ndarray]:
    """The same n codes z ~ N(0, I) decoded by each model (all of one latent size), one row each."""
    z = prior_samples(n, models[0].lm.latent_dim, seed=draw_seed)
    return [image_grid(decode_images(c.lm.model, z), nrow=n) for c in models]


def kl_figure(models: list[Compared]) -> go.Figure:
    """The KL of each latent dimension (the evaluator's, over the test digits) per model, largest first, as bars,
    with the active units counted in each legend entry. The autoencoder has none to show."""
    fig = go.Figure()
    for c in models:
        kls = c.metrics.get("kl_per_dim")
        if not kls:
            continue
        kls = sorted(kls, reverse=True)
        fig.add_bar(
            x=[f"{i + 1}" for i in range(len(kls))], y=kls,
            name=f"{c.short} · {c.metrics.get('active_units')} active",
            hovertemplate="%{y:.2f} nats<extra>" + c.entry.name + "</extra>",
        )
    fig.update_layout(
        barmode="group", height=380, margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="latent dimensions, sorted by KL", yaxis_title="KL (nats, mean over the test digits)",
        legend=dict(orientation="h", yanchor="top", y=-0.2),
    )
    return fig


def map_figure(c: Compared) -> go.Figure:
    """A 2-D model's posterior means of the 10,000 test digits by label, on its own axes (so the scale shows),
    with the circle where the prior N(0, I) puts 95% of its codes (radius 2.45)."""
    points = c.lm.latents["test_mu"].numpy()
    labels = c.lm.latents["test_labels"].long().numpy()
    half = max(3.0, float(np.abs(points).max()) * 1.05)
    picture = class_scatter(points, labels, (-half, half), (-half, half), MAP_PX, radius_px=3.0)  # digits 18 px
    fig = go.Figure()
    fig.add_layout_image(
        source=png_data_uri(picture), xref="x", yref="y", x=-half, y=half, sizex=2 * half, sizey=2 * half,
        sizing="stretch", layer="below",
    )
    r = math.sqrt(-2 * math.log(0.05))  # P(|z| > r) = exp(-r^2 / 2) for z ~ N(0, I) in 2-D
    fig.add_shape(type="circle", x0=-r, y0=-r, x1=r, y1=r, line=dict(color="black", width=2, dash="dash"))
    fig.update_xaxes(title="z0", range=[-half, half], zeroline=False, showgrid=False, constrain="domain")
    fig.update_yaxes(title="z1", range=[-half, half], zeroline=False, showgrid=False, scaleanchor="x",
                     constrain="domain")
    fig.update_layout(title=c.short, height=400, margin=dict(l=50, r=10, t=40, b=40), showlegend=False)
    return fig


@st.cache_data(show_spinner=False, max_entries=8)
def shared_map_figure(name: str, weights: str, _c: Compared) -> go.Figure:
    """`map_figure` once for every session and rerun with the same model (name and weights hash): rasterising
    10,000 points costs ~40 ms per model. (A figure, not its dict: it has no traces, which st.plotly_chart refuses
    in a dict.)"""
    return map_figure(_c)


def rate_distortion_figure(models: list[Compared]) -> go.Figure:
    """Alemi et al. (2018): each VAE as a point (rate R = KL, distortion D = -E_q log p(x|z), test means in nats)
    with the lines of constant ELBO (-ELBO = D + R); an autoencoder has no finite rate, so its distortion is a
    horizontal line."""
    fig = go.Figure()
    points = [c for c in models if c.metrics.get("test_kl") is not None]
    rates = [c.metrics["test_kl"] for c in points]
    distortions = [-c.metrics["test_log_likelihood"] for c in points]
    r_max = max(rates, default=1.0) * 1.3 + 2  # room for the names of the points on the right
    autoencoders = [c for c in models if c.lm.is_autoencoder and c.metrics.get("test_log_likelihood") is not None]
    d_all = distortions + [-c.metrics["test_log_likelihood"] for c in autoencoders]
    d_lo, d_hi = min(d_all, default=0.0) * 0.9, max(d_all, default=1.0) * 1.05
    for neg_elbo in range(int(d_lo // 20) * 20, int(d_hi + r_max) + 20, 20):  # lines D + R = -ELBO
        fig.add_scatter(
            x=[0, r_max], y=[neg_elbo, neg_elbo - r_max], mode="lines", showlegend=False, hoverinfo="skip",
            line=dict(color="lightgrey", width=1),
        )
        if d_lo <= neg_elbo <= d_hi:
            fig.add_annotation(x=0, y=neg_elbo, text=f"ELBO {-neg_elbo}", showarrow=False, xanchor="left",
                               yanchor="bottom", font=dict(size=11, color="grey"))
    for c, dash in zip(autoencoders, ("dot", "dash", "dashdot")):
        d = -c.metrics["test_log_likelihood"]
        fig.add_scatter(
            x=[0, r_max], y=[d, d], mode="lines", name=f"{c.entry.name}: autoencoder, rate unbounded",
            line=dict(color="black", dash=dash), hovertemplate=f"distortion {d:.1f} nats, rate ∞<extra></extra>",
        )
        fig.add_annotation(x=r_max, y=d, text=f"{c.entry.name}: rate ∞", showarrow=False, xanchor="right",
                           yanchor="bottom", font=dict(size=11))
    # names right of the points on the left half, left of those on the right; a reference's below, so that
    # mnist-z20 and mnist-z20-beta1, close together, stay readable
    positions = [("bottom" if c.reference else "top") + (" right" if r < r_max / 2 else " left")
                 for c, r in zip(points, rates)]
    fig.add_scatter(
        x=rates, y=distortions, mode="markers+text", text=[c.entry.name for c in points], textposition=positions,
        name="VAEs (β = 1 and β-VAEs)", marker=dict(size=11, color="#4e79a7"),
        customdata=[[c.entry.name, c.metrics.get("test_elbo")] for c in points],
        hovertemplate="%{customdata[0]}<br>rate %{x:.1f} nats, distortion %{y:.1f} nats<br>"
        "ELBO %{customdata[1]:.1f}<extra></extra>",
    )
    fig.update_xaxes(title="rate R = KL(q(z|x) || p(z))  (nats)", range=[0, r_max])
    fig.update_yaxes(title="distortion D = -E_q log p(x|z)  (nats)", range=[d_lo, d_hi])
    fig.update_layout(
        height=460, margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.15),
    )
    return fig


def schedule_note(groups: dict[int, list[Compared]]) -> str:
    """What the lab's models were trained with, and which models are references trained differently."""
    lab = [c for models in groups.values() for c in models if not c.reference]
    references = [c for models in groups.values() for c in models if c.reference]
    t = lab[0].lm.card.get("training", {}) if lab else {}
    epochs = sorted({c.epochs for c in lab})
    devices = sorted({trained_on(c.lm.card.get("training", {}).get("device", "")) for c in lab})
    ref = ", ".join(f"{c.entry.name} ({c.epochs} epochs, {trained_on(c.lm.card['training'].get('device', ''))})"
                    for c in references)
    return (
        f"**Schedule.** The lab's models share one short schedule: {' / '.join(map(str, epochs))} epochs on "
        f"{' / '.join(devices)} ({t.get('args', {}).get('precision', '?')} products), Adam with cosine decay, batch "
        f"{t.get('args', {}).get('batch_size', '?')}, every one of the 60,000 training digits each epoch, the same "
        f"seed. The comparison is about the objective, not the last nat: mnist-z20-beta1 is the VAE on that same "
        f"schedule, the fair reference for the β-VAEs and the autoencoder. The shipped VAEs {ref} trained longer "
        f"and are shown for reference."
    )


OBJECTIVES_TEXT = (
    "Same encoder and decoder (784-512-512-z and back), same data, different objective. The **autoencoder** maps "
    "each digit to one point z = mu and maximizes log p(x|z): no sampling, no KL. The **VAE** maximizes the ELBO "
    "= E_q[log p(x|z)] - KL(q(z|x) || N(0, I)). A **β-VAE** maximizes E_q[log p(x|z)] - β KL: β < 1 lets codes "
    "carry more about each digit, β > 1 pulls them towards the prior. Every figure below is measured with β = 1, "
    "so all models compare on the same scale."
)


@st.fragment
def render() -> None:
    st.subheader("Compare objectives: why the KL matters")
    st.caption(OBJECTIVES_TEXT)
    groups = compared_models()
    if not groups:
        st.info(
            "No model of the objectives lab (mnist-z20-ae, mnist-z20-beta4, ...) is in `pretrained/`: train them with "
            "`make train-z20-ae` and the like (see pretrained/README.md)."
        )
        return
    st.markdown(schedule_note(groups))
    all_models = [c for models in groups.values() for c in models]
    st.dataframe([summary_row(c) for c in all_models], hide_index=True)
    st.caption(
        "The evaluator's figures on the binarized test digits (nats; empty where a model has none). The autoencoder "
        "has no ELBO, KL or IW NLL: its code is a point, and a point's KL to N(0, I) is infinite; its E_q log p(x|z) "
        "is log p(x|z = mu). The IW NLL is -log p(x) estimated with importance sampling (Burda et al. 2015)."
    )

    big = groups[max(groups)]
    examples, what = class_examples(big[0].lm)
    inputs = np.concatenate([get_digit().x.reshape(1, -1), examples])
    st.markdown("##### The same digits, reconstructed")
    st.caption(
        "What to see: the smaller the KL weight, the sharper the reconstruction. β = 16 blurs digits and even "
        "changes some of their classes (on mnist-z20-beta16 the 4s come back as 9s): each code may say so little "
        "about its digit that only a rough shape is left."
    )
    show_grid(image_grid(to_uint8(inputs), nrow=len(inputs)), f"input digits: the current digit, then {what}",
              "input", max_width=720)
    for c, grid in zip(big, reconstructions(inputs, big)):
        show_grid(grid, f"the same digits reconstructed by {c.entry.name}, {c.kind}", c.short, max_width=720)

    st.markdown("##### Samples from the prior N(0, I)")
    draw_seed = stream_seed(PRIOR_STREAM)
    st.caption(
        f"What to see: the same {PRIOR_SAMPLES} codes drawn from N(0, I) (seed {seed()}) decoded by each model. The "
        "autoencoder's are scratches and fragments, rarely a digit: nothing made its codes fill the region where the "
        "prior puts them, so most draws land where no digit was ever encoded. The KL term is what makes sampling "
        "work."
    )
    for c, grid in zip(big, prior_rows(big, draw_seed)):
        show_grid(grid, f"{PRIOR_SAMPLES} prior samples decoded by {c.entry.name}, {c.kind}", c.short, max_width=720)

    st.markdown("##### Which dimensions carry information")
    st.caption(
        "What to see: the KL of each latent dimension; a dimension whose KL is near 0 has collapsed to the prior and "
        f"says nothing about the digit (active: the variance of mu over the test digits exceeds {ACTIVE_MU_VARIANCE}). "
        "As β grows, fewer dimensions stay active and each carries less. The autoencoder has no KL to show."
    )
    st.plotly_chart(for_screen(kl_figure(big)), key="objectives_kl")

    two_d = groups.get(2)
    if two_d:
        st.markdown("##### The 2-D models' latent maps")
        st.caption(
            "What to see: each test digit's code, drawn as its label's digit in that label's colour, on each model's "
            "own axes; the dashed circle holds 95% of the prior's codes. The autoencoder's codes spread far outside "
            "it, with holes between classes where a prior sample decodes to nothing; β = 4 packs them inside, and the "
            "classes overlap."
        )
        columns = st.columns(len(two_d))
        for column, c in zip(columns, two_d):
            with column:
                figure = shared_map_figure(c.entry.name, c.lm.card.get("weights_sha256", ""), c)
                st.plotly_chart(for_screen(figure, presenter_height=1.3), key=f"objectives_map_{c.entry.name}")

    st.markdown("##### Rate and distortion")
    st.caption(
        "What to see (Alemi et al. 2018, \"Fixing a Broken ELBO\"): each model is a point, rate = the KL it pays, "
        "distortion = what it loses in reconstruction; on each grey line -ELBO = D + R is the same. β slides a "
        "model along the trade-off: small β buys low distortion with high rate, large β the reverse; β = 1 lands "
        "on the best ELBO of its schedule. The autoencoder reaches the lowest distortion of its schedule, at an "
        "unbounded rate (mnist-z2, trained 300 epochs, reconstructs better than the 40-epoch 2-D autoencoder)."
    )
    st.plotly_chart(for_screen(rate_distortion_figure(all_models)), key="objectives_rd")

