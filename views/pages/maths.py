"""The maths: the ELBO and its parts as formulas, each beside the number it gives for the current digit."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from vae_core.analysis import DigitReport, active_dims

from ..common import autoencoder_notice, current_model, current_report, get_digit, seed

TOP_DIMS = 5  # dimensions listed in the KL and reparameterization tables

SIGN_CONVENTION = (
    "**Sign convention.** Everything is in nats for this one digit. The ELBO is a *lower bound* on log p(x), so "
    "higher is better; the training loss is its negative, −ELBO. The reconstruction term E_q[log p(x|z)] is the "
    "average log probability of the pixels over codes z from q(z|x), hence negative (estimated here from one z); the "
    "KL is never negative and is *subtracted*. So ELBO = E_q[log p(x|z)] − KL."
)

# Broken into lines no wider than a phone's column (358 px at 390): one long line scrolled sideways there, cut off.
ELBO_TEX = (
    r"\begin{aligned}\mathcal{L}(\theta, \phi; x) &= \mathbb{E}_{q_\phi(z|x)}\big[\log p_\theta(x|z)\big] \\"
    r" &\quad - D_{KL}\big(q_\phi(z|x)\,\|\,p(z)\big) \\ &\le \log p_\theta(x)\end{aligned}"
)
BERNOULLI_TEX = (
    r"\begin{aligned}\log p_\theta(x|z) &= \sum_{j=1}^{784} \big[x_j \log y_j \\"
    r" &\qquad + (1 - x_j) \log(1 - y_j)\big], \\"
    r" y &= \operatorname{sigmoid}\big(f_\theta(z)\big)\end{aligned}"
)
KL_TEX = (
    r"\begin{aligned}&D_{KL}\big(\mathcal{N}(\mu, \sigma^2 I)\,\|\,\mathcal{N}(0, I)\big) \\"
    r" &\quad = -\frac{1}{2} \sum_{i=1}^{D} \big(1 + \log \sigma_i^2 - \mu_i^2 - \sigma_i^2\big)\end{aligned}"
)
REPARAM_TEX = r"z = \mu + \sigma \odot \epsilon, \qquad \epsilon \sim \mathcal{N}(0, I)"


@dataclass(frozen=True)
class Tables:
    """The rows of the page's two number tables, as text."""

    kl: list[list[str]]  # dim, mu, sigma, KL: the TOP_DIMS dimensions with the largest KL
    reparameterization: list[list[str]]  # dim, mu, sigma, eps, z: the first TOP_DIMS dimensions


def compute(report: DigitReport) -> Tables:
    """The table rows for one digit's report (the metrics are the report's own numbers)."""
    r = report
    top = active_dims(r.kl_per_dim)[0][:TOP_DIMS].tolist()
    first = range(min(TOP_DIMS, r.mu.numel()))
    return Tables(
        [[f"z{d}", f"{r.mu[d]:.4f}", f"{r.std[d]:.4f}", f"{r.kl_per_dim[d]:.4f}"] for d in top],
        [[f"z{d}", f"{r.mu[d]:.4f}", f"{r.std[d]:.4f}", f"{r.eps[d]:.4f}", f"{r.z[d]:.4f}"] for d in first],
    )


def number_table(header: list[str], rows: list[list[str]]) -> str:
    """A small markdown table; numbers right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join([":--"] + ["--:"] * (len(header) - 1)) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def formula_row(
    tex: str, explanation: str, note: str, metric: tuple[str, str] | None = None, table: str | None = None
) -> None:
    """A formula with its explanation on the left; on the right the number it gives (metric: label, value),
    a table of its parts (markdown) and a note on them."""
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.latex(tex)
        st.caption(explanation)
    if metric is not None:
        right.metric(*metric)
    if table is not None:
        right.markdown(table)
    right.caption(note)


@st.fragment
def render() -> None:
    lm, digit, r = current_model(), get_digit(), current_report()
    tables = compute(r)

    st.subheader("The maths, with the current digit's numbers")
    autoencoder_notice("maths")
    st.markdown(SIGN_CONVENTION)
    st.caption(f"Current digit: {digit.source}; model {lm.name} (D = {lm.latent_dim}); noise from seed {seed()}.")

    formula_row(
        ELBO_TEX, "The evidence lower bound (Kingma & Welling 2014, eq. 3), estimated with one sample of z.",
        "= log p(x|z) − KL, the two numbers below (each rounded on its own).", metric=("ELBO", f"{r.elbo:.3f}"),
    )
    st.divider()
    formula_row(
        BERNOULLI_TEX, "Each pixel's grey level x_j is scored against the decoder's Bernoulli mean y_j.",
        "One-sample estimate of E_q[log p(x|z)], at the z sampled below.",
        metric=("log p(x|z)", f"{r.log_likelihood:.3f}"),
    )
    st.divider()
    formula_row(
        KL_TEX, "Closed form for a diagonal Gaussian posterior and a standard normal prior: no sampling.",
        f"The {len(tables.kl)} dimensions with the largest KL.", metric=("KL", f"{r.kl:.3f}"),
        table=number_table(["dim", "mu", "sigma", "KL"], tables.kl),
    )
    st.divider()
    formula_row(
        REPARAM_TEX, "The reparameterization trick: the randomness sits in eps, so z is differentiable in mu and "
                     "sigma. This z is the one log p(x|z) above was evaluated at.",
        f"The first {len(tables.reparameterization)} of {lm.latent_dim} dimensions.",
        table=number_table(["dim", "mu", "sigma", "eps", "z"], tables.reparameterization),
    )
