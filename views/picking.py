"""The app-wide rerun that a choice of the current digit inside a page's fragment needs (a pick on the manifold or
the latent map, views/live/pick.js; the pad)."""

from __future__ import annotations

import streamlit as st

APP_RERUN_FLAG = "_app_rerun_requested"


def request_app_rerun() -> None:
    """From a widget callback inside a page's fragment: what changed (the current digit, the model) shows outside
    the fragment too, so the whole app must rerun (st.rerun does nothing in a callback)."""
    st.session_state[APP_RERUN_FLAG] = True


def rerun_app_if_requested() -> None:
    """Call first thing in a page's fragment: carry out request_app_rerun."""
    if st.session_state.pop(APP_RERUN_FLAG, False):
        st.rerun(scope="app")
