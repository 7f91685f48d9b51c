"""Interpolate: decode the codes on a path between two digits, next to a plain pixel cross-fade."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

from vae_core.analysis import InterpolationStrip, encode_mean, interpolation_strip
from vae_core.latent import interpolate, prior_samples
from vae_core.model import VAE
from vae_core.render import image_grid, to_gif, to_png

from .. import state_keys
from ..common import (
    current_model,
    current_report,
    get_digit,
    set_digit_from_code,
    shipped_test_digits,
    stream_seed,
)
from ..controls import CLASS_CHOICES, CURRENT, INTERP_STEPS, PATHS, PRIOR, REAL_CHOICES, UPLOAD
from ..live import (
    Slider,
    fallback,
    live_choices,
    live_picture,
    live_sliders,
    model_sha1,
    mount_model,
    picture_variants,
    posterior_params,
    strip_width,
)
from ..pictures import show_grid, show_picture, shown_width

DEFAULTS = {"A": "class 4", "B": "class 9"}  # the seed figure: interpolation of 4 and 9
DOWNLOAD_SCALE = 4  # model pixels -> file pixels, nearest neighbour
STRIP_WIDTH = 880  # px available to the strips

CROSSFADE_CAPTION = (
    "Blending the two end pictures pixel by pixel gives a double exposure: the middle frames are two faint digits "
    "on top of each other, not a digit. Decoding codes on a path through latent space gives middle frames the "
    "decoder finds plausible, because nearby codes decode to similar digits. That is what a smooth latent space buys. "
    "The contrast is starkest between digits of different shapes, such as class 0 and class 1."
)
INTRO = (
    "Two codes are joined by a path; every step on it is decoded (the decoder mean). Class endpoints are the "
    "mean code of the test digits of that class; 'real' endpoints the posterior mean mu of the first handwritten "
    "test digit of that class; 'current digit' uses the posterior mean mu of the sidebar's digit. "
)
SLERP_HELP = (
    "Spherical interpolation (White, 2016) follows the great circle between the two codes, so the code's length "
    "stays near that of typical prior samples; a straight line between two prior samples passes closer to the "
    "origin than almost any sample of a many-dimensional Gaussian lies."
)


@dataclass(frozen=True)
class Interpolation:
    """What the page shows: the decoded path (frames and codes), and both strips tiled in a row."""

    strip: InterpolationStrip
    latent_grid: np.ndarray
    crossfade_grid: np.ndarray


def compute(model: VAE, a: torch.Tensor, b: torch.Tensor, steps: int, path: str) -> Interpolation:
    """The path of `steps` codes from a to b ('linear' or 'slerp'), decoded, beside the pixel cross-fade."""
    strip = interpolation_strip(model, a, b, steps, path)
    return Interpolation(strip, image_grid(strip.frames, nrow=steps), image_grid(strip.crossfade, nrow=steps))


def uploaded_endpoint(side: str) -> np.ndarray | None:
    """The picture the upload/draw page offered for this end of the path, if any."""
    image = st.session_state.get(state_keys.INTERP_ENDPOINT.format(side))
    return image if isinstance(image, np.ndarray) and image.size == 784 else None


def endpoint_choices(side: str) -> list[str]:
    """The options for one end of the path; the uploaded picture only while there is one."""
    choices = [*CLASS_CHOICES, *(REAL_CHOICES if shipped_test_digits() is not None else []), CURRENT, PRIOR]
    return [*choices, UPLOAD] if uploaded_endpoint(side) is not None else choices


def endpoint_code(choice: str, side: str) -> torch.Tensor:
    """The code of one end of the path: a class centroid, an encoded picture (its mu) or a prior sample. A real
    test digit's mu is the one the model's latents already hold (the map's): the page asks for every choice's code
    on each run, for the live selects."""
    lm = current_model()
    if choice in CLASS_CHOICES:
        return lm.latents["class_centroids"][CLASS_CHOICES.index(choice)]
    if choice in REAL_CHOICES:
        digits = shipped_test_digits()
        return lm.latents["test_mu"][int(digits.of_class(REAL_CHOICES.index(choice))[0])]
    if choice == CURRENT:
        return current_report().mu
    if choice == UPLOAD:
        return encode_mean(lm.model, uploaded_endpoint(side))
    return prior_samples(1, lm.latent_dim, seed=stream_seed(f"interpolation end {side}"))[0]


def endpoint_select(side: str, sha1: str) -> tuple[str, dict[str, torch.Tensor]]:
    """The select of one end of the path, live over its st.selectbox twin (back to its default when its choice is
    gone); the choice, and the code of every choice, which the live pictures hold."""
    key = f"interp_{side.lower()}"
    choices = endpoint_choices(side)
    if key in st.session_state and st.session_state[key] not in choices:  # e.g. the uploaded picture is gone
        del st.session_state[key]
    label = f"Endpoint {side}"
    with fallback(key):
        # The default is the widget's own (index), not preset state: a bound widget leaves its default out of the
        # URL, so any other choice, the first option included, travels in a link.
        choice = st.selectbox(label, choices, index=choices.index(DEFAULTS[side]), key=key, bind="query-params")
    live_choices(sha1, ("interp_steps", "interp"), key, label, choices, choice, component_key=f"live_{key}",
                 style="select")
    return choice, {c: endpoint_code(c, side) for c in choices}


def ends_variants(choices: dict[str, str], codes: dict[str, dict[str, torch.Tensor]], path_name: str) -> dict:
    """The live pictures' variants (picture_variants) for every other choice of either end: that end's code (to
    `decode` where the picture shows decoded ends), which ends then follow the current digit, and the words of the
    text alternative. `choices`: {"a": choice, "b": choice}; `codes`: each end's {choice: code}."""
    variants = {}
    for end, choice in choices.items():
        held = {}
        for other, code in codes[end].items():
            if other == choice:
                continue
            now = choices | {end: other}
            held[other] = {end: code.tolist(), "decode": [end], "words": {**now, "path": path_name},
                           "follows": [e for e, c in now.items() if c == CURRENT]}
        variants[f"interp_{end}"] = (choice, held)
    return variants


@st.cache_data(max_entries=32, show_spinner=False)
def download_files(
    weights: str, _model: VAE, a: np.ndarray, b: np.ndarray, steps: int, path: str
) -> tuple[bytes, bytes]:
    """The strip as a PNG and the path as an animated GIF, made once for every session with the same weights,
    endpoints, steps and path (keyed by the weights' SHA-256, never by session). Made with the page, after its
    pictures, not on click: Streamlit ties no session to a file made on click, so under a class's load another
    session's run deletes it before the browser fetches it (benchmarks/RESULTS.md: 10 of 60 downloads failed)."""
    shown = compute(_model, torch.from_numpy(a), torch.from_numpy(b), steps, path)
    return to_png(shown.latent_grid, DOWNLOAD_SCALE), to_gif(shown.strip.frames, DOWNLOAD_SCALE)


@st.fragment
def render() -> None:
    lm = current_model()
    st.subheader("Interpolation in latent space")
    st.caption(INTRO + SLERP_HELP)
    # The decoder's id for the live Steps slider and strips; frame_view, called in every run of this fragment,
    # mounts the model (one mount per run: a second with the same key would clash).
    sha1 = model_sha1(lm.model)
    cols = st.columns([1, 1, 2, 1])
    with cols[0]:
        choice_a, codes_a = endpoint_select("A", sha1)
    with cols[1]:
        choice_b, codes_b = endpoint_select("B", sha1)
    with cols[2]:
        with fallback(INTERP_STEPS.key):
            steps = st.slider("Steps", INTERP_STEPS.low, INTERP_STEPS.high, INTERP_STEPS.default,
                              key=INTERP_STEPS.key, bind="query-params")
        live_sliders(sha1, "interp_steps", [Slider(INTERP_STEPS.key, "Steps", INTERP_STEPS.low, INTERP_STEPS.high, 1,
                                                   steps)], key="live_interp_steps")
    with cols[3]:
        with fallback("interp_method"):
            path_name = st.radio("Path", list(PATHS), key="interp_method", help=SLERP_HELP, bind="query-params")
        # the strips and the frame hold the other path, so a choice shows at once
        live_choices(sha1, ("interp_steps", "interp"), "interp_method", "Path", list(PATHS), path_name,
                     component_key="live_interp_method")

    code_a, code_b = codes_a[choice_a], codes_b[choice_b]
    shown = compute(lm.model, code_a, code_b, steps, PATHS[path_name])
    strip, latent_grid = shown.strip, shown.latent_grid
    # While Steps moves, both strips are drawn in the browser from the path's ends alone (live.js modes 'between'
    # and 'crossfade'); the frame slider, its frame and the downloads follow on release, when this fragment reruns.
    # An end that is the current digit follows a sidebar digit button at once (live.js endsOf). All three pictures
    # hold every other choice of either end (ends_variants) and the other path, shown at once when chosen.
    r = current_report()
    words = {"a": choice_a, "b": choice_b, "path": path_name}
    ends_of_path = {"a": code_a.tolist(), "b": code_b.tolist(), "method": PATHS[path_name], "words": words,
                    "follows": [end for end, choice in (("a", choice_a), ("b", choice_b)) if choice == CURRENT],
                    **posterior_params(r.mu, r.std, get_digit().name)}
    variants = ends_variants({"a": choice_a, "b": choice_b}, {"a": codes_a, "b": codes_b}, path_name)
    other_paths = {name: interpolate(code_a, code_b, steps, PATHS[name]) for name in PATHS if name != path_name}
    counts = range(INTERP_STEPS.low, INTERP_STEPS.high + 1)
    live = {**ends_of_path, "key": INTERP_STEPS.key, "widths": {k: strip_width(k, STRIP_WIDTH) for k in counts}}
    left, right = st.columns([3, 1])
    with left:
        st.markdown(f"**Latent interpolation**: A = {choice_a} → B = {choice_b}")
        alt = "{value} digits decoded along the {path} path from {a} to {b}"
        with fallback("interp_latent_strip"):
            show_grid(latent_grid, alt.format(value=steps, **words), max_width=STRIP_WIDTH)
        path_variant = {name: {"method": PATHS[name], "words": words | {"path": name}} for name in other_paths}
        path = {**live, **picture_variants(variants | {"interp_method": (path_name, path_variant)})}
        live_picture(sha1, "interp_steps", "between", path, None, 0, None, alt, None,
                     key="live_interp_latent_strip")
        st.markdown("**Pixel cross-fade** of the same two end pictures")
        alt = "{value} pictures fading pixel by pixel from {a} to {b}"
        with fallback("interp_crossfade"):
            show_grid(shown.crossfade_grid, alt.format(value=steps, **words), max_width=STRIP_WIDTH)
        ends = {**live, "ends": [strip.frames[0].ravel().tolist(), strip.frames[-1].ravel().tolist()],
                **picture_variants(variants)}
        live_picture(sha1, "interp_steps", "crossfade", ends, None, 0, None, alt, None,
                     key="live_interp_crossfade")
        st.caption(CROSSFADE_CAPTION)
        name = f"interpolation_{choice_a}_{choice_b}_{PATHS[path_name]}_{lm.name}".replace(" ", "")
        png, gif = download_files(lm.card.get("weights_sha256", lm.name), lm.model, code_a.numpy(), code_b.numpy(),
                                  steps, PATHS[path_name])
        d = st.columns(2)
        d[0].download_button("Strip as PNG", png, f"{name}.png", "image/png", key="interp_png", on_click="ignore")
        d[1].download_button("Path as animated GIF", gif, f"{name}.gif", "image/gif", key="interp_gif",
                             on_click="ignore")
    with right:
        held = {name: {"codes": codes.tolist(), "method": PATHS[name]} for name, codes in other_paths.items()}
        frame_view(strip, steps, ends_of_path, variants | {"interp_method": (path_name, held)})


@st.fragment
def frame_view(strip: InterpolationStrip, steps: int, ends_of_path: dict, variants: dict) -> None:
    """The frame slider (live, with its st.slider twin), the frame it shows and the button that makes it the current
    digit: a fragment of its own inside the page's, so that a release reruns and sends these, not the two strips
    and the downloads (benchmarks/RESULTS.md, "Nested fragments"). The page's fragment calls it on each of its runs,
    so new endpoints, steps or path reach it. It mounts the model itself, so that a browser lacking the weights gets
    them in the rerun a release causes. `ends_of_path`: the path's ends, method, words and the current digit's
    posterior (live.js endsOf); `variants`: the other endpoints and the other path (its codes), held for the live
    choices."""
    sha1 = mount_model(current_model().model)
    if st.session_state.get("interp_t", 0) > steps - 1:  # fewer steps than before: stay on the last frame
        st.session_state["interp_t"] = steps - 1
    with fallback("interp_t"):
        t = st.slider("Frame", 0, steps - 1, 0, key="interp_t", help="0 is endpoint A, the last frame endpoint B",
                      bind="query-params")
    live_sliders(sha1, "interp", [Slider("interp_t", "Frame (0 is A, the last is B)", 0, steps - 1, 1, t)],
                 key="live_interp_t")
    words = ends_of_path["words"]
    alt = "frame {value} of the path from {a} to {b}"
    caption = f"frame {{value}} of {steps - 1}: t = {{t}}"
    with fallback("interp_frame"):
        show_picture(strip.frames[t], alt.format(value=t, **words), caption.format(value=t, t=f"{t / (steps - 1):.2f}"))
    params = {**ends_of_path, "codes": strip.codes.tolist(), "key": "interp_t", **picture_variants(variants)}
    live_picture(sha1, "interp", "path", params, 1, 1, shown_width(28, 196), alt, caption, key="live_interp_frame")
    if st.button("Use this frame as current digit", key="interp_use_frame"):
        set_digit_from_code(strip.codes[t], f"frame {t}/{steps - 1} from {words['a']} to {words['b']}")
        st.rerun(scope="app")  # the sidebar shows the current digit
