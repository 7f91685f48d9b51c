"""Reconstruct: the current digit, its reconstructions, and its ELBO split into its terms."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from vae_core.analysis import active_dims, describe_digit
from vae_core.render import image_grid, to_uint8

from .common import current_model, get_digit, seed, show_digit, show_grid

SIGN_CONVENTION = (
    "ELBO = E_q[log p(x|z)] - KL(q(z|x) || p(z)), in nats; higher is better. "
    "The training loss is -ELBO. The reconstruction term is a one-sample estimate (seeded); the KL is exact."
)


def kl_chart(kl_per_dim, mu, std) -> go.Figure:
    dims = [f"z{i}" for i in range(len(kl_per_dim))]
    fig = go.Figure(go.Bar(
        x=dims, y=kl_per_dim.tolist(),
        customdata=list(zip(mu.tolist(), std.tolist())),
        hovertemplate="%{x}: KL %{y:.3f} nats<br>mu %{customdata[0]:.3f}, sigma %{customdata[1]:.3f}<extra></extra>",
    ))
    fig.update_layout(height=260, margin=dict(l=10, r=10, t=30, b=10), title="KL of each latent dimension (nats)")
    return fig


@st.fragment
def render() -> None:
    lm = current_model()
    digit = get_digit()
    st.subheader("Reconstruction and its ELBO")
    n = st.slider("Stochastic reconstructions", 1, 8, 4, key="recon_samples", bind="query-params")
    r = describe_digit(lm.model, digit.x, n_samples=n, seed=seed())
    left, right = st.columns([3, 2])
    with left:
        cols = st.columns(2)
        with cols[0]:
            show_digit(to_uint8(r.x)[0], "input x")
        with cols[1]:
            show_digit(r.reconstruction, "reconstruction: decoder mean at z = mu")
        show_grid(image_grid(r.samples, nrow=len(r.samples)), "decoder means at z ~ q(z|x): stochastic reconstructions")
    with right:
        c = st.columns(3)
        c[0].metric("ELBO", f"{r.elbo:.2f}")
        c[1].metric("log p(x|z)", f"{r.log_likelihood:.2f}")
        c[2].metric("KL", f"{r.kl:.2f}")
        st.caption(SIGN_CONVENTION)
        st.plotly_chart(kl_chart(r.kl_per_dim, r.mu, r.std), key="kl_chart")
        order, active = active_dims(r.kl_per_dim)
        st.dataframe(
            [
                {"dim": f"z{d}", "mu": float(r.mu[d]), "sigma": float(r.std[d]), "KL (nats)": float(r.kl_per_dim[d]),
                 "used": "yes" if a else "collapsed"}
                for d, a in zip(order.tolist(), active.tolist())
            ],
            hide_index=True, height=min(36 * (len(order) + 1), 400),
            column_config={k: st.column_config.NumberColumn(format="%.3f") for k in ("mu", "sigma", "KL (nats)")},
        )
