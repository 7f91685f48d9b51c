"""Clicking a point of a plotly chart to choose the current digit (used by the manifold and the latent map)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

PICKED_FLAG = "_digit_picked_in_chart"


def first_customdata(state: Mapping[str, Any] | None) -> Any | None:
    """The customdata of the first selected point of an `st.plotly_chart` selection state; None when
    nothing carrying customdata is selected (traces without customdata, like markers, are not pickable)."""
    points = ((state or {}).get("selection") or {}).get("points") or []
    for point in points:
        if point.get("customdata") is not None:
            return point["customdata"]
    return None


def pick_callback(key: str, choose: Callable[[Any], None]) -> Callable[[], None]:
    """An `on_select` callback: hand the picked point's customdata to `choose` (which sets the current
    digit). Streamlit calls it once per change of the selection, before the fragment reruns."""

    def callback() -> None:
        data = first_customdata(st.session_state.get(key))
        if data is not None:
            choose(data)
            st.session_state[PICKED_FLAG] = True

    return callback


def rerun_app_if_picked() -> None:
    """Call first thing in a view's fragment: a pick inside the fragment changed the current digit,
    and the whole app (the sidebar too) must show it."""
    if st.session_state.pop(PICKED_FLAG, False):
        st.rerun(scope="app")
