"""What every view shares: the chosen model, the current digit, the seed, digit display."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch
from streamlit.delta_generator import DeltaGenerator

from vae_core.analysis import DigitReport, ElboSpread, describe_digit, elbo_of_each, elbo_spread
from vae_core.checkpoint import CheckpointError
from vae_core.digits import DigitsFileError, MnistDigits, load_test_digits
from vae_core.model import VAE
from vae_core.registry import LoadedModel, ModelEntry, list_models, load
from vae_core.render import decode_probs

from . import controls, state_keys
from .controls import SAMPLE_COUNTS
from .live import (
    Slider,
    fallback,
    live_choices,
    live_sliders,
    live_stepper,
    model_sha1,
    mount_model,
    picture_variants,
)
from .picking import request_app_rerun

DEFAULT_SEED = 0  # where the sidebar's seed input starts (its minimum)
DEFAULT_TEST_INDEX = 4  # the first 4 of the MNIST test set: the seed figure's digit


@dataclass(frozen=True)
class Digit:
    """The digit all views work on: grey levels in [0, 1] (784,) and where it came from; for a real MNIST test
    digit its index in the test set and its label, for a decoded code the code (what a link carries)."""

    x: np.ndarray
    source: str
    test_index: int | None = None
    label: int | None = None
    code: torch.Tensor | None = None
    code_model: str | None = None  # the model that decoded `code`

    @property
    def name(self) -> str:
        """What the digit is, for text alternatives: "a handwritten 4" for a labelled digit, else its source."""
        return f"a handwritten {self.label}" if self.label is not None else self.source


@st.cache_data(ttl=60, show_spinner=False)
def model_entries() -> list[ModelEntry]:
    """The models on offer (pretrained/), re-listed at most once a minute."""
    return list_models()


@st.cache_resource(show_spinner="Loading model...")
def _load(path: str, mtime: float) -> LoadedModel:
    return load(path)


def load_model(entry: ModelEntry) -> LoadedModel:
    """Cached per folder and file time, so a replaced checkpoint is picked up."""
    mtime = max((p.stat().st_mtime for p in entry.path.iterdir() if p.is_file()), default=0.0)
    return _load(str(entry.path), mtime)


def current_model() -> LoadedModel:
    """The model chosen in the sidebar; the sidebar guarantees one is usable."""
    return st.session_state[state_keys.LOADED_MODEL]


def seed() -> int:
    """The sidebar's seed, from which every random draw of the views derives."""
    return int(st.session_state.get(state_keys.SEED, DEFAULT_SEED))


def stream_seed(stream: str, count: int = 0, base: int | None = None) -> int:
    """The seed of one kind of random draw (`stream`), derived from the sidebar seed (or `base`):
    everyone with the same seed and draw count sees the same noise, and no two streams share it."""
    key = f"{seed() if base is None else base}/{stream}/{count}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=4).digest(), "big")


def shipped_test_digits() -> MnistDigits | None:
    """The shipped MNIST test digits, or None when the file is missing or altered (the sidebar says why)."""
    try:
        return load_test_digits()
    except DigitsFileError:
        return None


def why_no_test_digits() -> str | None:
    """Why the shipped test digits cannot be used, or None."""
    try:
        load_test_digits()
    except DigitsFileError as e:
        return str(e)
    return None


@st.cache_resource(show_spinner="Scoring the 10,000 test digits...", max_entries=16)
def _elbo_spread_of_test_digits(model_name: str, seed: int, _model: VAE) -> ElboSpread:
    digits = shipped_test_digits()
    elbos = elbo_of_each(_model, digits.images.reshape(len(digits.images), -1) / np.float32(255), seed)
    return elbo_spread(elbos, digits.labels)


def elbo_spread_of_test_digits(lm: LoadedModel, seed: int) -> ElboSpread | None:
    """The ELBO of every test digit as the app scores the current one (same model, seed and grey-level input),
    cached per model and seed; None without the shipped test digits, or for an autoencoder (no ELBO to rank by)."""
    if shipped_test_digits() is None or lm.is_autoencoder:
        return None
    return _elbo_spread_of_test_digits(lm.name, seed, lm.model)


def get_digit() -> Digit:
    """The digit all views work on; a real test digit (a 4) until one is chosen, or the mean code of
    class 4 when the test digits are unavailable."""
    if state_keys.DIGIT not in st.session_state:
        if shipped_test_digits() is not None:
            set_test_digit(DEFAULT_TEST_INDEX)
        else:
            set_digit_from_code(current_model().latents["class_centroids"][4], "mean code of class 4")
    return st.session_state[state_keys.DIGIT]


def name_test_digit(index: int, label: int) -> str:
    return f"test digit #{index}, a {label}"


def mnist_test_digit(index: int) -> Digit:
    """MNIST test digit `index` (0-9999) as a Digit: the real handwriting, not a decoded code."""
    digits = load_test_digits()
    label = int(digits.labels[index])
    return Digit(digits.grey(index), name_test_digit(index, label), index, label)


def set_test_digit(index: int) -> None:
    """Make MNIST test digit `index` (0-9999) the current digit."""
    st.session_state[state_keys.DIGIT] = mnist_test_digit(index)


def current_report() -> DigitReport:
    """vae_core's account of the current digit under the current model and seed, without extra samples:
    what most pages start from."""
    return describe_digit(current_model().model, get_digit().x, n_samples=0, seed=seed())


def set_digit(x: np.ndarray | torch.Tensor, source: str) -> None:
    """Make the picture x (784 grey levels in [0, 1]) the current digit; `source` says where it came from."""
    x = np.asarray(x, dtype=np.float32).reshape(-1)
    st.session_state[state_keys.DIGIT] = Digit(x, source)


def digit_from_code(z: torch.Tensor, source: str, decoder: ModelEntry | None = None) -> Digit:
    """A code as a Digit: its decoded picture, so every view sees an image. The decoder is the current model's
    unless `decoder` names another (a link made before its sender switched models)."""
    return decoded_digit(current_model() if decoder is None else load_model(decoder), z, source)


def decoded_digit(lm: LoadedModel, z: torch.Tensor, source: str) -> Digit:
    """The code `z` decoded by `lm` as a Digit."""
    z = torch.as_tensor(z, dtype=torch.float32).reshape(-1).clone()
    return Digit(decode_probs(lm.model, z)[0], source, code=z, code_model=lm.name)


def set_digit_from_code(z: torch.Tensor, source: str, decoder: ModelEntry | None = None) -> None:
    """A code becomes the current digit (digit_from_code)."""
    st.session_state[state_keys.DIGIT] = digit_from_code(z, source, decoder)


def use_digit(digit: Digit) -> None:
    """A callback: `digit` (made in the run that drew the button) becomes the current digit."""
    st.session_state[state_keys.DIGIT] = digit


def count_draw(key: str) -> None:
    """A redraw button's callback: one more draw under session key `key`."""
    st.session_state[key] = min(st.session_state.get(key, 0) + 1, controls.MAX_DRAW)


def draw_controls(prefix: str, redraw: tuple[str, str]) -> tuple[DeltaGenerator, int, int]:
    """One row of controls for a grid of random draws: room for a slider (filled by `slider_and_picture`), the
    number of draws (one of SAMPLE_COUNTS, key f"{prefix}_count"), the draw number (key f"{prefix}_draws") and a
    button (label, key) that moves to the next draw. The number and the button are live (views.live.live_choices
    and live_stepper, group `prefix`): the page's live grid shows another number of draws, or the next draws, at
    once where it holds them (draws_variants). Returns the slider's column, the number of draws and the draw
    number, for the caller to seed its draws with (stream_seed)."""
    c = st.columns([3, 1, 1, 1])
    sha1 = model_sha1(current_model().model)
    with c[1]:
        with fallback(f"{prefix}_count"):
            n = st.selectbox("Samples", SAMPLE_COUNTS, key=f"{prefix}_count", bind="query-params")
        live_choices(sha1, prefix, f"{prefix}_count", "Samples", SAMPLE_COUNTS, n, component_key=f"live_{prefix}_count")
    # The draw number is a visible, bound input, so a link reopens on the same random draws.
    draw = c[2].number_input("Draw", 0, controls.MAX_DRAW, 0, key=f"{prefix}_draws", bind="query-params",
                             help="Which random draw: the same seed and draw number give everyone the same digits.")
    with c[3]:
        with fallback(redraw[1]):
            st.button(redraw[0], key=redraw[1], on_click=count_draw, args=(f"{prefix}_draws",), width="stretch")
        live_stepper(sha1, prefix, f"{prefix}_draws", redraw[0], int(draw), controls.MAX_DRAW,
                     component_key=f"live_{redraw[1]}")
    return c[0], n, int(draw)


def draws_variants(prefix: str, n: int, draw: int, draws: Callable[[int, int], dict]) -> dict:
    """A live grid's params for the next draw number and for the other numbers of draws too (`draws(number, n)`:
    the params of n draws of that number, with its words and layout), so that the live Resample button and
    Samples choice of draw_controls show at once (views.live.picture_variants)."""
    return picture_variants({
        f"{prefix}_draws": (draw, {draw + 1: draws(draw + 1, n)} if draw < controls.MAX_DRAW else {}),
        f"{prefix}_count": (n, {count: draws(draw, count) for count in SAMPLE_COUNTS if count != n}),
    })


@st.fragment
def slider_and_picture(slider_box: DeltaGenerator, picture_box: DeltaGenerator, prefix: str, label: str,
                       slider: controls.Control, show: Callable[[str, float], None]) -> None:
    """A live slider (views.live: group `prefix`) with its st.slider twin (`slider`: range, step, default and key)
    in `slider_box`, and what it changes, drawn by `show(model_sha1, value)` in `picture_box`; both boxes belong to
    the page's fragment. A fragment of its own inside the page's, so that a release reruns and sends these few
    elements, not the whole page (benchmarks/RESULTS.md, "Nested fragments"). It mounts the model itself, so that
    a browser lacking the weights gets them in the rerun a release causes. The page's fragment calls it on each of
    its runs, so what changes there (the digit, the draws) reaches `show`."""
    with slider_box:
        model_sha1 = mount_model(current_model().model)
        with fallback(f"{prefix}_slider"):
            value = st.slider(label, slider.low, slider.high, slider.default, step=slider.step, key=slider.key,
                              bind="query-params")
        live_sliders(model_sha1, prefix, [Slider(slider.key, label, slider.low, slider.high, slider.step, value)],
                     key=f"live_{prefix}_slider")
    with picture_box:
        show(model_sha1, value)


def dimension_select(label: str, latent_dim: int, default: int, key: str, group: str, model_sha1: str | None = None,
                     help: str | None = None, live_help: bool = True, bound: bool = True) -> int:
    """A choice of one latent dimension ("z3"), live (views.live: a select of `group`, shown once the model
    `model_sha1` is in the browser, None: at once) over its Streamlit twin, bound to the link unless `bound` is
    False. `help` goes under the twin and, with `live_help`, under the live select (a pair shows it once). Returns the
    dimension chosen."""
    dims = list(range(latent_dim))
    if key in st.session_state and st.session_state[key] not in dims:  # a smaller model than before
        del st.session_state[key]
    with fallback(key):
        value = st.selectbox(label, dims, index=default, key=key, format_func="z{}".format, help=help,
                             **({"bind": "query-params"} if bound else {}))
    live_choices(model_sha1, group, key, label, dims, value, component_key=f"live_{key}", style="select",
                 help=help if live_help else None, labels=[f"z{d}" for d in dims])
    return value


TWO_D_MODEL = "mnist-z2"


def use_model(name: str) -> None:
    """A button callback: make `name` the sidebar's model, and rerun the whole app to load it."""
    st.session_state[state_keys.MODEL] = name
    request_app_rerun()


def slice_notice(shows: str) -> None:
    """On a model with more than two latent dimensions, say that the page shows a 2-D slice (`shows` says which)
    and offer the 2-D model in one click. The page's fragment must start with rerun_app_if_requested()."""
    lm = current_model()
    if lm.latent_dim <= 2:
        return
    st.info(
        f"**{lm.name} has {lm.latent_dim} latent dimensions; this page shows {shows}: a 2-D slice, not the whole "
        f"latent space.** On the 2-D model every code is a point of the plane, so a 2-D picture shows all it "
        f"learned (Kingma & Welling's Fig. 4), at the price of blurrier digits."
    )
    if any(e.name == TWO_D_MODEL and not e.error for e in model_entries()):
        st.button(f"Switch to {TWO_D_MODEL}", key="switch_to_2d", icon=":material/swap_horiz:",
                  on_click=use_model, args=(TWO_D_MODEL,))


# What does not apply on each page when the model is a plain autoencoder (see autoencoder_notice).
AUTOENCODER_NOTES = {
    "start": "Its pipeline has no sampling: sigma = 0, so z = mu; the KL of a point code is infinite and the ELBO "
             "-infinite, and the digit is not ranked among the test digits.",
    "reconstruct": "The stochastic reconstructions are all the mean reconstruction (sigma = 0), and every "
                   "dimension's KL is infinite: the ELBO split does not apply. The reconstruction itself does.",
    "maths": "With sigma = 0 the KL formula's -log sigma^2 is infinite: the ELBO is -infinite. log p(x|z) at z = mu "
             "is the number this model was trained on.",
    "mean": "Its posterior sigma is 0, so offsets in posterior sigma_i move nothing: use the prior sigma (= 1). Its "
            "dimensions have no KL to sort by, so their order means nothing.",
    "variance": "This view does not apply: sigma = 0, so every draw is the mean reconstruction, whatever the scale.",
    "sample": "Nothing made its codes fill N(0, I), so most prior draws decode to blots: why the KL matters.",
    "manifold": "The grid covers where N(0, I) puts its codes; the autoencoder's codes lie elsewhere (see the "
                "latent map), so much of the grid decodes to blots.",
    "map": "Its q(z|x) is a point, so there is no 1-sigma ellipse, and the ELBO is -infinite.",
    "pad": "The pad's range is where N(0, I) puts its codes; the autoencoder's codes lie elsewhere (see the latent "
           "map).",
    "upload": "Its ELBO is -infinite (a point code), so an upload is not scored against the test digits.",
}


def autoencoder_notice(page: str) -> None:
    """On a plain autoencoder, say what on `page` (a url_path of AUTOENCODER_NOTES) does not apply, and why."""
    lm = current_model()
    if not lm.is_autoencoder:
        return
    st.info(
        f"**{lm.name} is a plain autoencoder**: it encodes a digit to one point z = mu, with no posterior variance and "
        f"no KL, so it has no ELBO. {AUTOENCODER_NOTES[page]} The Compare objectives page shows it beside the VAEs.",
        icon=":material/info:",
    )


def model_error(e: CheckpointError) -> None:
    """Say on the page that a model cannot be loaded, and why."""
    st.error(f"This model cannot be loaded: {e}")


__all__ = [
    "Digit",
    "set_test_digit",
    "shipped_test_digits",
    "current_model",
    "current_report",
    "get_digit",
    "load_model",
    "model_entries",
    "seed",
    "set_digit",
    "set_digit_from_code",
]
