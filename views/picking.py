"""Clicking a point of a plotly chart to choose the current digit (the manifold, the latent map), and the app-wide
rerun such a choice inside a page's fragment needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

APP_RERUN_FLAG = "_app_rerun_requested"


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
            request_app_rerun()

    return callback


def request_app_rerun() -> None:
    """From a widget callback inside a page's fragment: what changed (the current digit, the model) shows outside
    the fragment too, so the whole app must rerun (st.rerun does nothing in a callback)."""
    st.session_state[APP_RERUN_FLAG] = True


def rerun_app_if_requested() -> None:
    """Call first thing in a page's fragment: carry out request_app_rerun."""
    if st.session_state.pop(APP_RERUN_FLAG, False):
        st.rerun(scope="app")
