"""The sidebar: model picker, seed, and the current digit with ways to choose it."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from vae_core.checkpoint import CheckpointError
from vae_core.latent import prior_samples
from vae_core.render import to_uint8

from . import state_keys
from .common import (
    Digit,
    current_model,
    digit_from_code,
    get_digit,
    load_model,
    mnist_test_digit,
    model_entries,
    seed,
    shipped_test_digits,
    stream_seed,
    use_digit,
    why_no_test_digits,
)
from .controls import MEAN, REAL, SEED
from .live import DigitChoice, digit_buttons, digit_picture
from .pictures import picture_html, show_picture, shown_width

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


def digit_picture_html(digit: Digit) -> str:
    """The sidebar's picture of `digit`, as show_picture draws it."""
    return picture_html(to_uint8(digit.x)[0], f"current digit: {digit.name}", digit.source, shown_width(28, 112))


def digit_choices(digit: Digit, kind: str) -> list[tuple[str, list[DigitChoice]]]:
    """The panel's buttons in rows (views.live.digit_buttons), each with the digit it makes current, made now: the
    browser shows it, and a latent map marks its posterior, the moment the button is pressed. `kind`: what the
    buttons 0-9 give (REAL or MEAN)."""
    lm, digits = current_model(), shipped_test_digits()
    # (id, text, help, the new digit, the callback and its arguments: by default use_digit(the new digit))
    if kind != MEAN and digits is not None:  # (kind is None while the segmented control has no choice)
        classes = [(f"class_{c}", str(c), f"The first test digit labelled {c}",
                    mnist_test_digit(int(digits.of_class(c)[0]))) for c in range(10)]
    else:
        classes = [(f"class_{c}", str(c), f"Mean code of the test digits labelled {c}",
                    digit_from_code(lm.latents["class_centroids"][c], f"mean code of class {c}")) for c in range(10)]
    rows: list[tuple[str, list[tuple]]] = [("wrap", classes)]
    if digit.test_index is not None and digits is not None:
        same = digits.of_class(digit.label)
        at = int(np.searchsorted(same, digit.test_index))
        rows.append(("pair", [
            ("previous_of_class", f"← Previous {digit.label}", f"The test digit labelled {digit.label} before this "
             "one", mnist_test_digit(int(same[(at - 1) % len(same)]))),
            ("next_of_class", f"Next {digit.label} →", f"The test digit labelled {digit.label} after this one",
             mnist_test_digit(int(same[(at + 1) % len(same)]))),
        ]))
    count, prior = next_prior_digit()
    rows.append(("wide", [("prior_digit", "Random from the prior", "A new draw z ~ N(0, I), decoded", prior,
                           use_prior_digit, (count, prior))]))
    new_digits = [c[3] for _, row in rows for c in row]
    with torch.no_grad():  # every button's digit in one batch, as describe_digit encodes the current one
        q = lm.model.encode(torch.from_numpy(np.stack([d.x for d in new_digits])).reshape(len(new_digits), -1).float())
    posteriors = iter(zip(q.mu.tolist(), q.std.tolist()))
    choices = []
    for layout, row in rows:
        made = []
        for ident, text, help_text, new, *action in row:
            on_click, args = action or (use_digit, (new,))
            made.append(DigitChoice(ident, text, help_text, digit_picture_html(new), next(posteriors), on_click, args))
        choices.append((layout, made))
    return choices


def digit_panel() -> None:
    """The current digit, shared by every view, and quick ways to replace it. The picture and the buttons are live
    (views/live/digits.js: a press shows the new digit at once), over their Streamlit twins (shown without a
    script, and what AppTest presses)."""
    side = st.sidebar
    side.markdown("**Current digit**")
    digit = get_digit()
    with side.container(key="vae_digits_twin_picture"):
        show_picture(to_uint8(digit.x)[0], f"current digit: {digit.name}", caption=digit.source, width=112)
    with side:
        digit_picture(digit_picture_html(digit), key="live_digit_picture")
    digits = shipped_test_digits()
    if digits is None:
        side.warning(f"Real test digits are unavailable: {why_no_test_digits()} The buttons give class means.")
    kinds = [REAL, MEAN] if digits is not None else [MEAN]
    kind = side.segmented_control(
        "The buttons 0-9 give", kinds, default=kinds[0], key=state_keys.DIGIT_KIND, help=DIGIT_KIND_HELP,
        bind="query-params",
    )
    rows = digit_choices(digit, kind)
    # Each button changes the digit in a callback, before the run it causes: one run, not a run cut short by
    # st.rerun and a second one (benchmarks/RESULTS.md, "One run per digit button").
    with side.container(key="vae_digits_twin_buttons"):
        for layout, choices in rows:
            # A wrapping row, not columns: on a phone columns stack, and the buttons would read 0, 5, 1, 6, ...
            boxes = ([st.container(horizontal=True, gap="small")] * len(choices) if layout == "wrap"
                     else st.columns(len(choices)))
            for box, c in zip(boxes, choices):
                box.button(c.text, key=c.id, help=c.help, on_click=c.on_click, args=c.args,
                           width="content" if layout == "wrap" else "stretch")
    with side:
        digit_buttons(rows, key="live_digit_buttons")


def next_prior_digit() -> tuple[int, Digit]:
    """The prior button's digit: this session's next draw z ~ N(0, I), decoded, and its number."""
    count = st.session_state.get("prior_draws", 0) + 1
    z = prior_samples(1, current_model().latent_dim, seed=stream_seed("prior digit", count))[0]
    return count, digit_from_code(z, f"prior sample #{count} (seed {seed()})")


def use_prior_digit(count: int, digit: Digit) -> None:
    """The prior button's callback: draw number `count` (`digit`) becomes the current digit."""
    st.session_state["prior_draws"] = count
    use_digit(digit)
