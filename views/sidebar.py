"""The sidebar: model picker, seed, and the current digit with ways to choose it."""

from __future__ import annotations

import numpy as np
import streamlit as st

from vae_core.checkpoint import CheckpointError
from vae_core.latent import prior_samples
from vae_core.render import to_uint8

from . import state_keys
from .common import (
    current_model,
    get_digit,
    load_model,
    model_entries,
    seed,
    set_digit_from_code,
    set_test_digit,
    shipped_test_digits,
    stream_seed,
    why_no_test_digits,
)
from .controls import MEAN, REAL, SEED
from .pictures import show_picture

PICKER_HELP = (
    "First the VAEs by latent size (mnist-z2 ... mnist-z20), then the objectives lab: an autoencoder (-ae) and "
    "β-VAEs (-beta4: KL weighted by 4), compared on the Compare objectives page."
)


def model_picker() -> bool:
    """Choose and load a model; False (with a message) when none can be used."""
    entries = model_entries()
    usable = [e for e in entries if not e.error]
    for e in entries:
        if e.error:
            st.sidebar.warning(f"**{e.name}** is unavailable: {e.error}")
    if not usable:
        st.error("No usable model found in `pretrained/`. Train one with `make train` (see the README).")
        return False
    names = [e.name for e in usable]
    default = "mnist-z20" if "mnist-z20" in names else names[0]
    if state_keys.MODEL in st.session_state and st.session_state[state_keys.MODEL] not in names:
        del st.session_state[state_keys.MODEL]  # a model that went away: fall back to the default
    # bound to ?model=...: a shared link opens on its model (an unknown name in the URL is ignored). The URL holds
    # the option's displayed text, so the options are the bare names and the details go in a caption.
    name = st.sidebar.selectbox("Model", names, index=names.index(default), key=state_keys.MODEL, bind="query-params",
                                help=PICKER_HELP)
    st.sidebar.caption(next(e for e in usable if e.name == name).label)
    try:
        st.session_state[state_keys.LOADED_MODEL] = load_model(next(e for e in usable if e.name == name))
    except CheckpointError as e:
        st.error(f"Model **{name}** cannot be loaded: {e}")
        return False
    return True


def seed_control() -> None:
    """The seed every random draw derives from; bound to the URL."""
    st.sidebar.number_input(
        "Seed", min_value=SEED.low, max_value=SEED.high, step=1, key=state_keys.SEED,
        help="Everyone using the same seed sees the same random draws.", bind="query-params",
    )


def presenter_toggle() -> None:
    """Presenter mode (larger type and pictures), and a note on sharing the view by its URL."""
    # Not in the URL: large type is the viewer's choice (a projector), not something a shared link imposes on phones.
    st.sidebar.toggle("Presenter mode", key=state_keys.PRESENTER, help="Larger text and pictures, for a projector.")
    st.sidebar.caption("To share exactly this view, copy the address bar: it holds the model, seed, digit and sliders.")


DIGIT_KIND_HELP = (
    "Real digit: a handwritten digit from the 10,000 MNIST test digits (the model never trained on them). "
    "Class mean: the decoded average code of all test digits of that class, a smooth prototype."
)


def digit_panel() -> None:
    """The current digit, shared by every view, and quick ways to replace it."""
    side = st.sidebar
    side.markdown("**Current digit**")
    digit = get_digit()
    with side:  # show_picture writes to the current container, which is the main area otherwise
        show_picture(to_uint8(digit.x)[0], f"current digit: {digit.name}", caption=digit.source, width=112)
    lm, digits = current_model(), shipped_test_digits()
    if digits is None:
        side.warning(f"Real test digits are unavailable: {why_no_test_digits()} The buttons give class means.")
    kinds = [REAL, MEAN] if digits is not None else [MEAN]
    kind = side.segmented_control(
        "The buttons 0-9 give", kinds, default=kinds[0], key=state_keys.DIGIT_KIND, help=DIGIT_KIND_HELP,
        bind="query-params",
    )
    # A wrapping row, not columns: on a phone columns stack, and the buttons would read 0, 5, 1, 6, ...
    # Each button changes the digit in a callback, before the run it causes: one run, not a run cut short by
    # st.rerun and a second one (benchmarks/RESULTS.md, "One run per digit button").
    row = side.container(horizontal=True, gap="small")
    for c in range(10):
        if kind != MEAN:
            row.button(str(c), key=f"class_{c}", help=f"The first test digit labelled {c}", on_click=set_test_digit,
                       args=(int(digits.of_class(c)[0]),))
        else:
            row.button(str(c), key=f"class_{c}", help=f"Mean code of the test digits labelled {c}",
                       on_click=set_digit_from_code,
                       args=(lm.latents["class_centroids"][c], f"mean code of class {c}"))
    if digit.test_index is not None and digits is not None:
        same = digits.of_class(digit.label)
        at = int(np.searchsorted(same, digit.test_index))
        step = side.columns(2)
        step[0].button(f"← Previous {digit.label}", key="previous_of_class", width="stretch",
                       on_click=set_test_digit, args=(int(same[(at - 1) % len(same)]),))
        step[1].button(f"Next {digit.label} →", key="next_of_class", width="stretch",
                       on_click=set_test_digit, args=(int(same[(at + 1) % len(same)]),))
    side.button("Random from the prior", key="prior_digit", width="stretch", on_click=prior_digit)


def prior_digit() -> None:
    """The prior button's callback: the next draw z ~ N(0, I) of this session, decoded, becomes the current digit."""
    count = st.session_state.get("prior_draws", 0) + 1
    st.session_state["prior_draws"] = count
    z = prior_samples(1, current_model().latent_dim, seed=stream_seed("prior digit", count))[0]
    set_digit_from_code(z, f"prior sample #{count} (seed {seed()})")
