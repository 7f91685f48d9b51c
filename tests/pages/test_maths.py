"""AppTest checks of The maths page: every number in its formulas and tables is vae_core's own for the same
digit and seed."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import MODELS, current_report, open_page, report_metrics, shown_metrics
from vae_core.analysis import active_dims
from views import state_keys


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.main.markdown)


@pytest.mark.parametrize("model", MODELS)
def test_maths_numbers_equal_describe_digit(model: str) -> None:
    at = open_page("maths", model)
    r = current_report(at)
    assert shown_metrics(at) == report_metrics(r, decimals=3)
    text = markdown_text(at)
    for d in active_dims(r.kl_per_dim)[0][:5].tolist():
        assert f"| z{d} | {r.mu[d]:.4f} | {r.std[d]:.4f} | {r.kl_per_dim[d]:.4f} |" in text
    for d in range(min(5, MODELS[model])):
        assert f"| z{d} | {r.mu[d]:.4f} | {r.std[d]:.4f} | {r.eps[d]:.4f} | {r.z[d]:.4f} |" in text
    assert len(at.latex) == 4


def test_maths_seed_changes_the_sampled_z_and_the_one_sample_terms() -> None:
    at = open_page("maths", "mnist-z20")
    before = shown_metrics(at)
    at.number_input(key=state_keys.SEED).set_value(11).run()
    r = current_report(at)
    after = shown_metrics(at)
    assert after["KL"] == before["KL"] == f"{r.kl:.3f}"  # exact, no sampling
    assert after["log p(x|z)"] == f"{r.log_likelihood:.3f}" != before["log p(x|z)"]
    assert f"| z0 | {r.mu[0]:.4f} | {r.std[0]:.4f} | {r.eps[0]:.4f} | {r.z[0]:.4f} |" in markdown_text(at)
