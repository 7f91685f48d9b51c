"""Share the exact view: the current digit travels in the URL, a real test digit by its index
(`?digit=123`), any other digit by its code (`?z=...&src=...`).

Model, seed, presenter mode and the views' main sliders are bound to the URL by their widgets
(`bind="query-params"`); the digit is no widget, so it is written and read here.
"""

from __future__ import annotations

import re

import streamlit as st

from vae_core.analysis import encode_mean
from vae_core.code_text import format_code, parse_code
from vae_core.digits import N_TEST

from .common import current_model, get_digit, set_digit_from_code, set_test_digit, shipped_test_digits

CODE_PARAM, SOURCE_PARAM, TEST_DIGIT_PARAM = "z", "src", "digit"
RESTORED_FLAG = "_digit_from_url_done"  # the URL's digit is applied once per session: later picks must win
CACHE_KEY = "_digit_url_code"  # (digit, model name, code, tag): encode each digit once; a restored link stays as sent


def source_tag(source: str) -> str:
    """A short URL-safe tag of where the digit came from, e.g. 'mean-code-of-class-4'."""
    return re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-")[:40] or "digit"


def digit_to_query() -> None:
    """Write the current digit into the URL: a test digit's index, else its code (the encoder's mean,
    4 decimals) and a source tag."""
    digit, lm = get_digit(), current_model()
    if digit.test_index is not None:
        for param in (CODE_PARAM, SOURCE_PARAM):
            st.query_params.pop(param, None)
        if st.query_params.get(TEST_DIGIT_PARAM) != str(digit.test_index):
            st.query_params[TEST_DIGIT_PARAM] = str(digit.test_index)
        return
    st.query_params.pop(TEST_DIGIT_PARAM, None)
    cached = st.session_state.get(CACHE_KEY)
    if cached is not None and cached[0] is digit and cached[1] == lm.name:
        text, tag = cached[2], cached[3]
    else:
        text, tag = format_code(encode_mean(lm.model, digit.x)), source_tag(digit.source)
        st.session_state[CACHE_KEY] = (digit, lm.name, text, tag)
    if st.query_params.get(CODE_PARAM) != text or st.query_params.get(SOURCE_PARAM) != tag:
        st.query_params.update({CODE_PARAM: text, SOURCE_PARAM: tag})  # one URL update, not two


def digit_from_query() -> None:
    """On a session's first run, make the link's code the current digit; a malformed code is reported,
    removed from the URL, and the default digit is shown instead."""
    if st.session_state.get(RESTORED_FLAG):
        return
    st.session_state[RESTORED_FLAG] = True
    index = st.query_params.get(TEST_DIGIT_PARAM)
    if index is not None:
        test_digit_from_query(index)
        return
    text = st.query_params.get(CODE_PARAM)
    if text is None:
        return
    lm = current_model()
    try:
        z = parse_code(text, lm.latent_dim)
    except ValueError as e:
        st.warning(f"The link's digit code was malformed ({e}); showing the default digit.")
        for param in (CODE_PARAM, SOURCE_PARAM):
            st.query_params.pop(param, None)
        return
    tag = source_tag(st.query_params.get(SOURCE_PARAM, "") or "")  # re-slugged: never show URL text as markdown
    set_digit_from_code(z, f"from a shared link ({tag})")
    st.session_state[CACHE_KEY] = (get_digit(), lm.name, text, tag)  # the URL stays as sent, not re-encoded


def test_digit_from_query(index: str) -> None:
    """Make the link's test digit the current digit; a malformed index is reported and removed."""
    if shipped_test_digits() is None:
        st.query_params.pop(TEST_DIGIT_PARAM, None)
        return
    if not (index.isascii() and index.isdigit()) or int(index) >= N_TEST:
        st.warning(f"The link's test digit must be a number from 0 to {N_TEST - 1}; showing the default digit.")
        st.query_params.pop(TEST_DIGIT_PARAM, None)
        return
    set_test_digit(int(index))
