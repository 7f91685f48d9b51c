"""Share the exact view: the current digit travels in the URL, so a link reopens on the same digit with the same
numbers. A real test digit goes by its index (`?digit=123`), a decoded code by the code itself (`?z=...&src=...`,
with `zm=` naming the model that decoded it when that is not the link's model), anything else (an upload, a
drawing) by its 8-bit picture (`?px=...`).

Model, seed and the views' controls are bound to the URL by their widgets (`bind="query-params"`); the digit is no
widget, so it is written and read here.
"""

from __future__ import annotations

import re

import streamlit as st

from vae_core.checkpoint import CheckpointError
from vae_core.code_text import format_code, format_picture, parse_code, parse_picture
from vae_core.digits import N_TEST

from .common import (
    Digit,
    current_model,
    get_digit,
    model_entries,
    set_digit,
    set_digit_from_code,
    set_test_digit,
    shipped_test_digits,
)

TEST_DIGIT_PARAM, CODE_PARAM, SOURCE_PARAM, CODE_MODEL_PARAM, PICTURE_PARAM = "digit", "z", "src", "zm", "px"
DIGIT_PARAMS = (TEST_DIGIT_PARAM, CODE_PARAM, SOURCE_PARAM, CODE_MODEL_PARAM, PICTURE_PARAM)
CODE_DECIMALS = 6  # a code this close decodes to the same picture and the same ELBO to far better than 0.01 nats
RESTORED_FLAG = "_digit_from_url_done"  # the URL's digit is applied once per session: later picks must win
CACHE_KEY = "_digit_url_params"  # (digit, model name, params): format each digit once


LINK_SOURCE = "from a shared link ({})"


def source_tag(source: str) -> str:
    """A short URL-safe tag of where the digit came from, e.g. 'mean-code-of-class-4' (a digit that came from a
    link keeps its sender's tag)."""
    inner = re.fullmatch(re.escape(LINK_SOURCE).replace(r"\{\}", "(.*)"), source)
    return re.sub(r"[^a-z0-9]+", "-", (inner.group(1) if inner else source).lower()).strip("-")[:40] or "digit"


def digit_params(digit: Digit, model_name: str) -> dict[str, str]:
    """The URL parameters that reopen `digit` under the model `model_name`."""
    if digit.test_index is not None:
        return {TEST_DIGIT_PARAM: str(digit.test_index)}
    if digit.code is not None:
        params = {CODE_PARAM: format_code(digit.code, CODE_DECIMALS), SOURCE_PARAM: source_tag(digit.source)}
        if digit.code_model != model_name:
            params[CODE_MODEL_PARAM] = digit.code_model
        return params
    return {PICTURE_PARAM: format_picture(digit.x), SOURCE_PARAM: source_tag(digit.source)}


def digit_to_query() -> None:
    """Write the current digit into the URL (and remove the parameters of any other kind of digit)."""
    digit, name = get_digit(), current_model().name
    cached = st.session_state.get(CACHE_KEY)
    if cached is not None and cached[0] is digit and cached[1] == name:
        params = cached[2]
    else:
        params = digit_params(digit, name)
        st.session_state[CACHE_KEY] = (digit, name, params)
    for param in DIGIT_PARAMS:
        if param not in params:
            st.query_params.pop(param, None)
    if any(st.query_params.get(k) != v for k, v in params.items()):
        st.query_params.update(params)  # one URL update, not several


def digit_from_query() -> None:
    """On a session's first run, make the link's digit the current digit; a malformed one is reported, removed
    from the URL, and the default digit is shown instead."""
    if st.session_state.get(RESTORED_FLAG):
        return
    st.session_state[RESTORED_FLAG] = True
    try:
        restore_digit()
    except (ValueError, CheckpointError) as e:
        st.warning(f"The link's digit could not be read ({e}); showing the default digit.")
        for param in DIGIT_PARAMS:
            st.query_params.pop(param, None)


def restore_digit() -> None:
    """The digit the URL names, if any, becomes the current digit; ValueError says why the URL's digit is unusable."""
    tag = source_tag(st.query_params.get(SOURCE_PARAM, "") or "")  # re-slugged: never show URL text as markdown
    if (index := st.query_params.get(TEST_DIGIT_PARAM)) is not None:
        if shipped_test_digits() is None:
            raise ValueError("the MNIST test digits are not available here")
        if not (index.isascii() and index.isdigit()) or int(index) >= N_TEST:
            raise ValueError(f"the test digit must be a number from 0 to {N_TEST - 1}")
        set_test_digit(int(index))
    elif (text := st.query_params.get(CODE_PARAM)) is not None:
        name = st.query_params.get(CODE_MODEL_PARAM) or current_model().name
        entry = next((e for e in model_entries() if e.name == name and not e.error), None)
        if entry is None:
            raise ValueError(f"the model {source_tag(name)} that decodes its code is not available here")
        set_digit_from_code(parse_code(text, entry.latent_dim), LINK_SOURCE.format(tag), entry)
    elif (text := st.query_params.get(PICTURE_PARAM)) is not None:
        set_digit(parse_picture(text), LINK_SOURCE.format(tag))

