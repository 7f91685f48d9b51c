"""Soak: one AppTest session on the Reconstruct page doing 1,000 interactions (class buttons and the samples
slider, alternating) keeps a bounded session_state and does not keep growing in memory.

Runs on frozen copies of the shipped models (fixtures from test_views_latent): training rewrites pretrained/,
and a model reloaded mid-run would look like a leak."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.test_views_latent import app_uses_frozen_models, frozen_models, open_page  # noqa: F401  (fixtures)

INTERACTIONS = 1_000
WARM_UP = 200  # caches, the model and lazy imports fill up first
MAX_GROWTH_MB = 50


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def interact(at: AppTest, i: int) -> None:
    if i % 2:
        at.button(key=f"class_{i % 10}").click().run()
    else:
        at.slider(key="recon_samples").set_value(1 + i % 8).run()
    assert not at.exception, f"interaction {i}: {at.exception}"


def test_a_thousand_interactions_keep_session_state_and_memory_bounded() -> None:
    at = open_page("reconstruct")
    key_counts, rss_at_warm_up = [], None
    for i in range(INTERACTIONS):
        interact(at, i)
        key_counts.append(len(at.session_state))
        if i == WARM_UP:
            rss_at_warm_up = rss_mb()
    growth = rss_mb() - rss_at_warm_up
    assert max(key_counts[WARM_UP:]) <= max(key_counts[:WARM_UP]), "session_state keeps gaining keys"
    assert growth < MAX_GROWTH_MB, f"RSS grew {growth:.0f} MB between interaction {WARM_UP} and {INTERACTIONS}"
