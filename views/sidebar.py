"""The sidebar: model picker, seed, and the current digit with ways to choose it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

from vae_core.checkpoint import CheckpointError
from vae_core.latent import prior_samples
from vae_core.registry import LoadedModel
from vae_core.render import to_uint8

from . import state_keys
from .common import (
    Digit,
    current_model,
    decoded_digit,
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
from .live import DigitChoice, ask_whether_scripts_run, digit_buttons, digit_picture, scripts_run
from .pictures import picture_html, shown_width

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


def digit_picture_html(digit: Digit, width: int | None = None) -> str:
    """The sidebar's picture of `digit`, as show_picture draws it, `width` px wide (by default this session's)."""
    return picture_html(to_uint8(digit.x)[0], f"current digit: {digit.name}", digit.source,
                        width or shown_width(28, 112))


@dataclass(frozen=True)
class ButtonDigit:
    """The digit a panel button makes current, its sidebar picture and its posterior q(z|x) as (mu, std)."""

    digit: Digit
    html: str
    posterior: tuple[list[float], list[float]]


_button_digits: dict[tuple, ButtonDigit] = {}  # (weights, spec, width) -> its ButtonDigit, for every session
BUTTON_DIGITS_KEPT = 1024  # ~5 kB each


def button_digit(lm: LoadedModel, spec: tuple, width: int) -> ButtonDigit:
    """A button's digit, made once for every session alike (keyed by the weights' SHA-256, never by session):
    `spec` is ("test", index), ("mean", class) or ("prior", stream seed, count, seed); `width`, the picture's
    (presenter mode's is larger). A dict, not st.cache_resource, whose look-up costs ~0.2 ms: thirteen a run."""
    key = (lm.card.get("weights_sha256", lm.name), spec, width)
    made = _button_digits.get(key)
    if made is None:
        if len(_button_digits) >= BUTTON_DIGITS_KEPT:
            _button_digits.clear()
        made = _button_digits[key] = make_button_digit(lm, spec, width)
    return made


def make_button_digit(lm: LoadedModel, spec: tuple, width: int) -> ButtonDigit:
    """The digit `spec` names (button_digit), its sidebar picture `width` px wide and its posterior."""
    kind, *args = spec
    if kind == "test":
        digit = mnist_test_digit(args[0])
    elif kind == "mean":
        digit = decoded_digit(lm, lm.latents["class_centroids"][args[0]], f"mean code of class {args[0]}")
    else:
        stream, count, base = args
        z = prior_samples(1, lm.latent_dim, seed=stream)[0]
        digit = decoded_digit(lm, z, f"prior sample #{count} (seed {base})")
    with torch.no_grad():  # as describe_digit encodes the current digit
        q = lm.model.encode(torch.from_numpy(digit.x).reshape(1, -1).float())
    return ButtonDigit(digit, digit_picture_html(digit, width), (q.mu[0].tolist(), q.std[0].tolist()))


def digit_choices(digit: Digit, kind: str) -> list[tuple[str, list[DigitChoice]]]:
    """The panel's buttons in rows (views.live.digit_buttons), each with the digit it makes current: the browser
    shows it, and the page's live pictures and latent map take its posterior, the moment the button is pressed.
    `kind`: what the buttons 0-9 give (REAL or MEAN)."""
    lm, digits = current_model(), shipped_test_digits()
    width = shown_width(28, 112)

    def choice(ident: str, text: str, help_text: str, spec: tuple, prior_count: int | None = None) -> DigitChoice:
        made = button_digit(lm, spec, width)
        on_click, args = (use_digit, (made.digit,)) if prior_count is None else (use_prior_digit,
                                                                                (prior_count, made.digit))
        return DigitChoice(ident, text, help_text, made.html, made.digit.name, made.posterior, on_click, args)

    if kind != MEAN and digits is not None:  # (kind is None while the segmented control has no choice)
        classes = [choice(f"class_{c}", str(c), f"The first test digit labelled {c}",
                          ("test", int(digits.of_class(c)[0]))) for c in range(10)]
    else:
        classes = [choice(f"class_{c}", str(c), f"Mean code of the test digits labelled {c}", ("mean", c))
                   for c in range(10)]
    rows = [("wrap", classes)]
    if digit.test_index is not None and digits is not None:
        same = digits.of_class(digit.label)
        at = int(np.searchsorted(same, digit.test_index))
        rows.append(("pair", [
            choice("previous_of_class", f"← Previous {digit.label}", f"The test digit labelled {digit.label} before "
                   "this one", ("test", int(same[(at - 1) % len(same)]))),
            choice("next_of_class", f"Next {digit.label} →", f"The test digit labelled {digit.label} after this one",
                   ("test", int(same[(at + 1) % len(same)]))),
        ]))
    count = st.session_state.get("prior_draws", 0) + 1  # the prior button's draw: this session's next one
    rows.append(("wide", [choice("prior_digit", "Random from the prior", "A new draw z ~ N(0, I), decoded",
                                 ("prior", stream_seed("prior digit", count), count, seed()), prior_count=count)]))
    return rows


def digit_panel() -> None:
    """The current digit, shared by every view, and quick ways to replace it. The picture and the buttons are live
    (views/live/digits.js: a press shows the new digit at once), over their Streamlit twins: shown without a
    script, and what AppTest presses. Once the browser is known to run the live elements, the twin buttons are left
    out (views.live.scripts_run)."""
    side = st.sidebar
    side.markdown("**Current digit**")
    digit = get_digit()
    twin = side.container(key="vae_digits_twin_picture")
    twin.html(html := digit_picture_html(digit))
    with side:
        digit_picture(html, key="live_digit_picture")
    digits = shipped_test_digits()
    if digits is None:
        side.warning(f"Real test digits are unavailable: {why_no_test_digits()} The buttons give class means.")
    kinds = [REAL, MEAN] if digits is not None else [MEAN]
    kind = side.segmented_control(
        "The buttons 0-9 give", kinds, default=kinds[0], key=state_keys.DIGIT_KIND, help=DIGIT_KIND_HELP,
        bind="query-params",
    )
    rows = digit_choices(digit, kind)
    with side:
        digit_buttons(rows, key="live_digit_buttons")
        ask_whether_scripts_run()
    if scripts_run():  # the browser runs the live buttons: their twins would only cost every run ~3 ms
        return
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


def use_prior_digit(count: int, digit: Digit) -> None:
    """The prior button's callback: this session's draw number `count` (`digit`) becomes the current digit."""
    st.session_state["prior_draws"] = count
    use_digit(digit)
