"""Live elements: pictures decoded in the browser while a pointer drags, with the model's weights sent once.

One module of JavaScript runs every live element of the app, so they share one copy of each model in the browser
(model.js: the decoder and the encoder; vae_core/export.py owns the weight format). It comes once per session, as
the mount of its own component on every run (`mount_runtime`); the live elements are mounts of "vae_live", whose
code is only a loader that hands each to that module:

- `mount_model`: a mount whose data is the decoder (or, on the Upload page, the encoder) as bytes, in the first run
  of a session that needs that network, and afterwards only {"kind": "model", "model": sha1}. Every other mount
  names the networks it needs by sha1. Why not the bytes on every run: although Streamlit's message cache then
  sends the browser only a hash reference, the server still hashes the 2.7 MB twice (the element's identity, the
  cache) and serialises it: ~8 ms of CPU per run. So the session remembers which sha1s it has mounted (SENT). The
  small mount carries a new count each run (else the browser would not run it again), and on each the browser
  checks that it holds the network (model.js `checkModel`); where it does not (evicted by KEEP_MODELS, or bytes
  that never arrived because a quick rerun replaced them) it sends the trigger "lacking", whose callback forgets
  that sha1, so the run it causes mounts the bytes again. A page reload, or a reconnect to another replica, is a
  new session: it starts with nothing sent. A model switch is a new sha1.
- `latent_pad`: the pad (pad.js), whose axes follow its group's live selects and range slider. `live_sliders` and
  `live_picture`: sliders (a range slider with two thumbs where the value is a pair) and the pictures they move
  (live.js; paths and cross-fades as vae_core.latent makes them: latent.js), tied by a group name, each placed where
  its Streamlit twin is. `draw_watch`: the Upload page's canvas, encoded as it is drawn, over the map of the test
  digits' mu in any two dimensions (draw.js; the browser has them all). `picture_picker`:
  a picture to pick from (pick.js): the manifold's drawn by the server, which also holds the grids of the
  neighbouring sizes, eps or ranges and of the other spacing (`PickerVariants`), while another pair of dimensions
  is decoded here (the pairs one arrow key away ahead, in idle time); the latent map drawn here from the test
  digits' points (scatter.js), so its class pills and range switch redraw it at once, and a pick draws the picked
  digit's marks at once (latent.js's ellipse).
  `live_frames`: a picture that swaps in, as its slider moves, one of the pictures the server drew ahead for every
  value (the Training replay's epochs, Mean's traversal table in each unit; the slider's `options` are a
  select_slider's; `play_ms` gives a slider a Play button), and `live_chart`: a line chart drawn here whose marker
  stands at the slider's value (chart.js; the replay's ELBO curve). `live_stepper`, `live_reset` and
  `live_choices`: a Resample button, a Reset button and a choice (radio buttons, a select box for many options,
  pills, a switch), shown at once by the pictures that hold the other values' params (`picture_variants`) or draw
  them here. `digit_picture` and `digit_buttons`: the sidebar's current digit and the buttons that replace it
  (digits.js): a press draws the new digit at once and hands its posterior to the page's live pictures and
  pickers, which redraw with it.
  `digit_input` and `decoded_mu`: a page's own pictures of the current digit and of its decoded mu, which a press
  redraws the same way.
- `ask_whether_scripts_run`: a mount that only answers, so that Python learns early that the browser runs all
  this (`scripts_run`) and leaves out the twins only a browser without the script needs.
- Not a live element, but in the same module, the one script every page runs: nav_roles.js gives Streamlit's page
  menu on a phone the roles of a list per section (its markup has list items outside any list).

How a live slider and its `st.slider` coexist (the choice, and why). The page keeps its `st.slider`s exactly as
before: same keys, same `bind="query-params"`, same pictures drawn by the server, so AppTest, links and lessons
see no change. Each sits in a container keyed `vae_fallback_*`; the live slider and picture are mounted right
after it, in the same place. While the browser has not loaded the model (or cannot run the script), the live ones
stay hidden and the Streamlit ones are what the user sees and uses. Once the model is loaded, live.css hides the
`vae_fallback_*` containers and shows the live ones (a rule keyed on a flag the script sets on the root element
while a live element is `ready`: it touches no element of Streamlit's). Dragging a live slider decodes on every
animation frame and never talks to Python; its release (pointer up, or each key press) sends {widget key: value}
as a trigger whose callback writes the value into that widget key before the script reruns, so the hidden
`st.slider` takes it, the URL follows, and the server's pictures (and every other page) agree with what the user
saw. The server still draws its pictures on each run: they are the no-script
path, and the figures and alt text a test reads. The drawing canvas has no twin: a canvas needs a script anyway
(the one it replaced did too), and without one the page still takes an upload.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st
import torch

from vae_core.export import browser_message
from vae_core.model import VAE
from vae_core.render import CLASS_COLOURS, image_grid

from ..pictures import SHOWN_PICTURE_WIDTH, picture_html, show_picture, shown_width

HERE = Path(__file__).resolve().parent
# One module: they share `models` and the slider groups.
JS_FILES = ("model.js", "kernel.js", "latent.js", "live.js", "chart.js", "pad.js", "draw.js", "digits.js", "scatter.js",
            "pick.js", "nav_roles.js", "main.js")

# The code and styles of every live element (~140 kB), in one mount of its own on every run (mount_runtime): its
# message is the same each run, so Streamlit's message cache sends it once per session and a hash reference after.
# A component's code travels in each of its mounts' messages, so the mounts of "vae_live" carry only a loader that
# hands them to the runtime (main.js): each changed mount had cost the whole code again (a page's first visit ~1 MB).
_runtime = st.components.v2.component(
    "vae_live_runtime",
    css=(HERE / "live.css").read_text(encoding="utf-8"),
    js="\n".join((HERE / name).read_text(encoding="utf-8") for name in JS_FILES),
    isolate_styles=False,  # live.css hides the Streamlit twins once the live elements are ready
)
LOADER_JS = """
// Each mount runs in the runtime's module (views/live mount_runtime, main.js), at once or as soon as that has loaded.
export default function (component) {
  if (window.vaeLiveMount) return window.vaeLiveMount(component);
  let [gone, cleanup] = [false, null];
  window.addEventListener("vae-live-runtime", () => gone || (cleanup = window.vaeLiveMount(component)), { once: true });
  return () => ((gone = true), cleanup?.());
}
"""
_live = st.components.v2.component("vae_live", js=LOADER_JS, isolate_styles=False)


def mount_runtime() -> None:
    """The live elements' code and styles; once on every run, before any live element (app.py)."""
    _runtime(key="vae_live_runtime")


@functools.lru_cache(maxsize=8)  # per model object and part; loaded models are cached objects
def model_message(model: VAE, part: str = "decoder") -> tuple[str, bytes]:
    """(sha1, bytes) of the model's decoder or encoder for the browser (vae_core.export.browser_message)."""
    return browser_message(model, part)


def model_sha1(model: VAE) -> str:
    """The sha1 live mounts name the model's decoder by (mount_model sends it)."""
    return model_message(model)[0]


SENT = "vae_live_sent"  # session key: the sha1s of the networks whose bytes this session has mounted
MOUNTS = "vae_live_mounts"  # session key: a count of model mounts, so each small mount differs from the last
RUNS = "vae_live_runs"  # session key: True once a live element's trigger came back (scripts_run)


def scripts_run() -> bool:
    """Whether this session's browser runs the live elements: known once one of their triggers has come back
    (ask_whether_scripts_run's at the latest). Until then a twin that only a browser without the script needs is
    still sent (the digit panel's buttons, a picker's picture); after it, it is left out."""
    return bool(st.session_state.get(RUNS))


def _came_back() -> None:
    """Every trigger callback's first step: the browser ran a live element (scripts_run)."""
    st.session_state[RUNS] = True


@st.fragment
def ask_whether_scripts_run() -> None:
    """Until scripts_run() is known, a mount that answers as soon as the browser runs it (main.js). A fragment of
    its own, so that the answer reruns only this, once per session; every run after it leaves out the twins only
    a browser without the script needs: on a page switch about 20 of 65 messages (benchmarks/RESULTS.md)."""
    if not scripts_run():
        _live(key="vae_live_hello", data={"kind": "hello"}, on_hello_change=_came_back)


def _lacking(component_key: str) -> None:
    """The trigger's callback: the browser lacks this network, so the run that follows mounts its bytes again."""
    _came_back()
    st.session_state.get(SENT, set()).discard(st.session_state[component_key].get("lacking"))


def mount_model(model: VAE, key: str = "vae_live_model", part: str = "decoder") -> str:
    """Send the model's decoder (or encoder) to the browser, once per model and session (see the docstring);
    returns the sha1 that mounts name it by. Call it once per run on a page with live elements, before them."""
    sha1, message = model_message(model, part)
    sent = st.session_state.setdefault(SENT, set())
    st.session_state[MOUNTS] = run = st.session_state.get(MOUNTS, 0) + 1
    data = {"kind": "model", "model": sha1, "run": run} if sha1 in sent else message
    _live(key=key, data=data, on_lacking_change=functools.partial(_lacking, key))
    sent.add(sha1)
    return sha1


def fallback(name: str):
    """The container of a live element's Streamlit twin: shown until the live one is ready (see the docstring)."""
    return st.container(key=f"vae_fallback_{name}")


def grid_width(side: int, max_width: int = 560, aspect: float = 1.0) -> int:
    """The width pictures.show_grid shows a grid `side` px wide and `aspect` times as tall at: the largest whole
    enlargement within `max_width`, then shown_width (presenter mode)."""
    return shown_width(side, side * max(1, max_width // side), aspect)


def strip_width(count: int, max_width: int = 560) -> int:
    """The width pictures.show_grid shows a strip of `count` pictures tiled in one row at (render.image_grid's
    layout), within `max_width`: what a live strip whose number of pictures follows a slider sizes itself by."""
    height, width = image_grid(np.zeros((count, 28, 28), np.uint8), nrow=count).shape
    return grid_width(width, max_width, aspect=height / width)


def square_grid_width(count: int, max_width: int = 560) -> int:
    """The width pictures.show_grid shows `count` pictures tiled in a square at (render.image_grid's layout): what
    a live grid whose number of pictures a live choice changes sizes itself by."""
    height, width = image_grid(np.zeros((count, 28, 28), np.uint8), nrow=math.isqrt(count)).shape
    return grid_width(width, max_width, aspect=height / width)


def _ignore() -> None:
    """Trigger values reach Python only for events with a callback; the page acts on the returned value."""


def latent_pad(
    model: VAE, base: Sequence[float], dims: tuple[int, int], z_range: tuple[float, float], backdrop: bool = False,
    test_mu: tuple[torch.Tensor, torch.Tensor] | None = None, show_test_mu: bool = False,
    group: str | None = None, keys: Sequence[str] = (), key: str = "latent_pad"
) -> list[float] | None:
    """Show the pad over `dims` (x, y) spanning `z_range`, other dimensions at `base` (marked on the pad), with
    `backdrop` the digits decoded over a grid of its points faintly behind it, and with `show_test_mu` a dot at each
    of `test_mu` (the test digits' mu and labels, as the drawing's map has them: every point's place on a 2-D
    model's pad). With `group`, it follows that group's live controls at once: `keys`, the widget keys of the two
    dimensions, of the range, of the backdrop's switch and of the dots' switch.

    Returns the full code z where the pointer was released (or clicked, or Enter pressed), in the run that follows;
    else None.
    """
    sha1 = mount_model(model, key=f"{key}_source_decoder")
    points = None
    if test_mu is not None:
        points, message = drawing_points(*test_mu)
        _live(key=f"{key}_source_points", data=message)
    data = {"kind": "pad", "model": sha1, "base": [float(v) for v in base], "dims": [int(d) for d in dims],
            "range": list(z_range), "backdrop": bool(backdrop), "points": points, "showPoints": bool(show_test_mu),
            "group": group, "keys": list(keys)}
    return _live(key=key, data=data, on_release_change=_ignore).release


@dataclass(frozen=True)
class Slider:
    """A live slider: the widget `key` of its `st.slider` twin, whose value it writes on release. With `options`
    (the values of an `st.select_slider` twin) it runs over their positions (min 0, max len - 1, step 1) and stands
    for the option there; `value` is then one of them. A tuple `value` (start, end) makes it a range with two
    thumbs, as its twin's. With `play_ms`, a Play button beside it steps it one position every `play_ms` ms and
    releases where it stops (live.js playButton). `help` is shown under it (a phone has no tooltip)."""

    key: str
    label: str
    min: float
    max: float
    step: float
    value: Any
    options: tuple | None = None
    play_ms: int | None = None
    help: str | None = None


def _is_number(value: Any) -> bool:
    """A number that came from a browser: a bool equals 0 or 1, but is never an option or a value."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _snapped(s: Slider, value: float, kind: type) -> Any:
    """`value` within the slider's range, on its steps, as `kind`."""
    return kind(round(s.min + round((min(s.max, max(s.min, float(value))) - s.min) / s.step) * s.step, 6))


def _release(component_key: str, sliders: dict[str, Slider]) -> None:
    """The trigger's callback, before the rerun: each released value into its widget key, snapped to the slider's
    range and steps (the value came from a browser); a range's two ends in order."""
    _came_back()
    released = st.session_state[component_key].get("release") or {}
    for key, value in released.items():
        s = sliders.get(key)
        if s is None or isinstance(value, bool):
            continue
        if s.options is not None:  # numbers, or the labels of a live choice
            if value in s.options:
                st.session_state[key] = s.options[s.options.index(value)]
        elif isinstance(s.value, tuple):
            if isinstance(value, list) and len(value) == 2 and all(map(_is_number, value)):
                st.session_state[key] = tuple(sorted(_snapped(s, v, type(s.value[0])) for v in value))
        elif _is_number(value):
            st.session_state[key] = _snapped(s, value, type(s.value))


def live_sliders(model_sha1: str | None, group: str, sliders: Sequence[Slider], key: str) -> None:
    """Live sliders of `group`, shown once the model `model_sha1` is in the browser (None: no model needed, shown
    at once); mount them after their twins' fallback containers."""
    data = {"kind": "sliders", "model": model_sha1, "group": group, "sliders": [asdict(s) for s in sliders]}
    _live(key=key, data=data,
          on_release_change=functools.partial(_release, key, {s.key: s for s in sliders}))


def live_stepper(model_sha1: str | None, group: str, key: str, label: str, value: int, high: int,
                 component_key: str) -> None:
    """A button that moves the value of widget `key` (an int, at most `high`) one up at once for the pictures of
    `group` that hold the next value's params (`picture_variants`), and releases it to Python like a slider: the live
    twin of a Resample button. Mount it after its twin's fallback container."""
    data = {"kind": "stepper", "model": model_sha1, "group": group, "key": key, "label": label, "value": value,
            "max": high}
    _live(key=component_key, data=data,
          on_release_change=functools.partial(_release, component_key, {key: Slider(key, label, 0, high, 1, value)}))


def live_reset(model_sha1: str | None, group: str, label: str, sliders: Sequence[Slider], value: float,
               component_key: str) -> None:
    """A button that moves every one of the live `sliders` of `group` to `value` at once, their thumbs and the
    pictures following, and releases them to Python in one rerun: the live twin of a Reset button. Mount it after
    its twin's fallback container."""
    data = {"kind": "stepper", "model": model_sha1, "group": group, "label": label,
            "values": {s.key: value for s in sliders}}
    _live(key=component_key, data=data,
          on_release_change=functools.partial(_release, component_key, {s.key: s for s in sliders}))


def _option_index(options: Sequence[Any], value: Any) -> int | None:
    """Where `value` (it came from a browser) is among `options`, or None; a bool only ever matches a bool option
    (True == 1)."""
    return next((i for i, o in enumerate(options) if isinstance(o, bool) == isinstance(value, bool) and o == value),
                None)


def _release_choice(component_key: str, key: str, options: tuple, multi: bool) -> None:
    """A live choice's trigger callback, before the rerun: the released option (with `multi`, the list of options)
    into widget `key`, in the options' order; anything else, which only a browser could send, is dropped."""
    _came_back()
    released = (st.session_state[component_key].get("release") or {}).get(key)
    if not multi:
        if (index := _option_index(options, released)) is not None:
            st.session_state[key] = options[index]
    elif isinstance(released, list):
        indices = [_option_index(options, v) for v in released]
        if None not in indices:
            st.session_state[key] = [options[i] for i in sorted(set(indices))]


CHOICE_STYLES = ("radio", "select", "pills", "switch")


def live_choices(model_sha1: str | None, group: str | Sequence[str], key: str, label: str, options: Sequence[Any],
                 value: Any, component_key: str, style: str = "radio", help: str | None = None,
                 labels: Sequence[str] | None = None) -> None:
    """A choice for widget `key` that shows at once in the pictures of `group` (or of each group listed) that hold
    that value's params (`picture_variants`; the map's scatter and the manifold's grid, drawn here) and is released
    to Python like a slider. `style`: "radio" (buttons side by side; twin an st.radio or a small st.selectbox),
    "select" (a native select box: many options), "pills" (any number of `options` on at once, `value` a list;
    twin an st.pills with selection_mode="multi") or "switch" (options [False, True]; twin an st.toggle). `help`
    is shown under a switch or a select box (a phone has no tooltip); `labels` are a select box's options' texts
    (its twin's format_func), else str(option). Mount it after its twin's fallback container."""
    if style not in CHOICE_STYLES:
        raise ValueError(f"style must be one of {CHOICE_STYLES}, not {style!r}")
    data = {"kind": "choices", "model": model_sha1, "group": group if isinstance(group, str) else list(group),
            "key": key, "label": label, "options": list(options), "value": value, "style": style, "help": help,
            "labels": None if labels is None else list(labels)}
    _live(key=component_key, data=data, on_release_change=functools.partial(
        _release_choice, component_key, key, tuple(options), style == "pills"))


def picture_variants(variants: dict[str, tuple[Any, dict[Any, dict[str, Any]]]]) -> dict[str, Any]:
    """A live picture's params (live_picture) for values of its group's keys other than this run's, shown at once
    when a live stepper or choice moves there (the next draw number, another number of draws): `variants` {key:
    (this run's value, {value: the params that differ there, "words" among them for the alt and caption
    templates})}."""
    return {"variants": {key: {"value": value, "held": {str(v): p for v, p in held.items()}}
                         for key, (value, held) in variants.items()}}


def posterior_params(mu: torch.Tensor, std: torch.Tensor, name: str) -> dict[str, Any]:
    """A live picture's params for the current digit's q(z|x) = N(mu, diag(std^2)) and its name ({name} in the
    alt text): a sidebar digit button replaces them at once (digits.js) with the new digit's."""
    return {"posterior": {"mu": mu.tolist(), "std": std.tolist(), "name": name}}


def live_picture(model_sha1: str, group: str, mode: str, params: dict[str, Any], n: int | None, nrow: int,
                 width: int | None, alt: str, caption: str | None, key: str) -> None:
    """A picture of `group` drawn in the browser on every frame its sliders move (live.js MODES: 'shift',
    'scale', 'path', 'count', 'between' decode codes; 'crossfade' blends two pictures; `params` are theirs): n
    pictures tiled `nrow` per row (0: one row) like render.image_grid, shown `width` px wide. Where the mode changes
    the number of pictures ('count', 'between', 'crossfade'), n and width are None and `params` holds "widths":
    {n: px} (strip_width): the mount's data then stays the same as the value moves, so a release leaves the picture
    as it is rather than mounting it anew. `alt` and `caption` are templates: {value}, {offsets}, {t} are filled
    with the current values, {name} with the current digit's (posterior_params). A grid whose `params` name a live
    slider of its group under "pick" (Sample #) frames the cell that slider numbers from 1 ({pick} in the
    templates), and a click or tap on a cell moves that slider there."""
    data = {"kind": "picture", "model": model_sha1, "group": group, "mode": mode, "n": n, "nrow": nrow,
            "width": width, "alt": alt, "caption": caption, **params}
    _live(key=key, data=data, width="content")  # as wide as the picture, like its twin in a row of pictures


def digit_input(picture: np.ndarray, name: str, alt: str, caption: str, key: str) -> None:
    """The current digit's picture (`picture`, uint8) on a page, shown like pictures.show_picture: the server's (the
    twin, in fallback `key`) and a live one that a sidebar digit button replaces at once with the pressed digit's
    (digits.js). `alt`: a template, {name} the digit's name."""
    with fallback(key):
        st.html(html := picture_html(picture, alt.format(name=name), caption, shown_width(28, SHOWN_PICTURE_WIDTH)))
    _live(key=f"live_{key}", data={"kind": "digit_input", "html": html, "alt": alt})


def decoded_mu(model_sha1: str, picture: np.ndarray, mu: torch.Tensor, std: torch.Tensor, name: str, alt: str,
               caption: str, key: str) -> None:
    """The current digit's mu decoded (`picture`, uint8), shown like pictures.show_picture: the server's picture (the
    twin, in fallback `key`) and a live one (group `key`) that a sidebar digit button redraws at once. `alt`: a
    template, {name} the digit's name."""
    with fallback(key):
        show_picture(picture, alt.format(name=name), caption)
    live_picture(model_sha1, key, "mu", posterior_params(mu, std, name), 1, 1, shown_width(28, SHOWN_PICTURE_WIDTH),
                 alt, caption, key=f"live_{key}")


POINTS_MAGIC = b"VAEp"  # main.js tells this bytes mount from the model's by it


def points_message(xy: np.ndarray, labels: np.ndarray, header: dict[str, Any], cov: np.ndarray | None = None,
                   glyphs: np.ndarray | None = None) -> tuple[str, bytes]:
    """(id, bytes) of points for a scatter drawn in the browser (draw.js receivePoints): POINTS_MAGIC, uint32
    header length, JSON header {id, count, dim, cov, glyph, **header} padded to 4 bytes, float32 (x, y) per point
    (or `dim` coordinates: xy may have more columns, of which the browser plots two), with `cov` float32 (xx, xy,
    yy) per point, a uint8 label per point, then with `glyphs` (10, s, s) uint8 masks (glyph = s, else 0). The id
    is the bytes' and the header's hash."""
    parts = [np.asarray(xy, "<f4").tobytes()]
    if cov is not None:
        parts.append(np.asarray(cov, "<f4").tobytes())
    parts.append(np.asarray(labels, np.uint8).tobytes())
    if glyphs is not None:
        parts.append(np.asarray(glyphs, np.uint8).tobytes())
    payload = b"".join(parts)
    ident = hashlib.sha1(payload + json.dumps(header, sort_keys=True).encode()).hexdigest()
    head = json.dumps({"id": ident, "count": len(xy), "dim": int(np.shape(xy)[1]), "cov": cov is not None,
                       "glyph": 0 if glyphs is None else glyphs.shape[-1], **header}).encode()
    head += b" " * (-(len(POINTS_MAGIC) + 4 + len(head)) % 4)
    return ident, POINTS_MAGIC + struct.pack("<I", len(head)) + head + payload


@functools.lru_cache(maxsize=8)  # tensors hash by identity, and a loaded model's latents are cached objects
def drawing_points(mu: torch.Tensor, labels: torch.Tensor) -> tuple[str, bytes]:
    """The test digits' mu, every dimension, for the drawing's map (points_message; the browser plots the two
    chosen, so choosing others needs nothing new), with each dimension's span in `lows` and `highs`: all but its
    outermost 0.5% (draw.js mapRange)."""
    xy = mu.numpy().astype("<f4")
    lows, highs = np.percentile(xy, [0.5, 99.5], axis=0)
    return points_message(xy, labels.numpy(), {"lows": lows.tolist(), "highs": highs.tolist()})


def draw_watch(model: VAE, latents: dict[str, torch.Tensor], dims: tuple[int, int], kept_key: str, key: str,
               group: str | None = None, keys: Sequence[str] = ()) -> str | None:
    """The drawing canvas, encoded in the browser on every stroke (draw.js) over the map of the test digits' mu
    in `dims`; with `group`, the map's axes follow that group's live selects at once (`keys`: their widget keys).
    Returns the drawing as a PNG data URL once a stroke ends (for vae_core.drawing), "" once the user cleared it,
    None before either. It is kept in st.session_state[kept_key], written by the canvas's callback before the run
    its stroke causes, so that the canvas is mounted with the drawing it shows: a mount given the drawing of one
    stroke before takes it for another one's and paints it over the strokes drawn since (draw.js `fresh`)."""
    sha1 = mount_model(model, key=f"{key}_source_decoder")
    encoder = mount_model(model, key=f"{key}_source_encoder", part="encoder")
    points, message = drawing_points(latents["test_mu"], latents["test_labels"])
    _live(key=f"{key}_source_points", data=message)
    data = {"kind": "draw", "key": key, "model": sha1, "encoder": encoder, "points": points,
            "dims": [int(d) for d in dims], "drawing": st.session_state.get(kept_key), "colours": CLASS_COLOURS,
            "group": group, "keys": list(keys)}
    _live(key=key, data=data, on_drawing_change=functools.partial(_keep_drawing, key, kept_key))
    return st.session_state.get(kept_key)


def _keep_drawing(component_key: str, kept_key: str) -> None:
    """The canvas's callback, before the rerun: what it sent (a string; anything else came from no canvas) kept."""
    drawing = st.session_state[component_key].get("drawing")
    if isinstance(drawing, str):
        st.session_state[kept_key] = drawing


SOURCE_MAGIC = b"VAEs"  # main.js tells a picker's source from the other bytes mounts by it


@dataclass(frozen=True)
class PickSource:
    """A source mount's bytes and the id that mounts name it by: SOURCE_MAGIC, then JSON, for a picker's picture
    ({id, src}: pick_source) or a flipbook's frames ({id, frames}: frames_source); or a points_message (the latent
    map's points, which the browser draws)."""

    id: str
    message: bytes

    def png(self) -> bytes:
        """A picker's picture as PNG bytes (read back from the message: kept once, in cached sources)."""
        src = json.loads(self.message[len(SOURCE_MAGIC):])["src"]
        return base64.b64decode(src.split(",", 1)[1])


def pick_source(src: str) -> PickSource:
    """A picker's picture (a data URI: the manifold's grid). Build it where the picture is cached: its message is
    then made once, and Streamlit's message cache sends it once. Bytes, not a dict: Streamlit serialises a dict
    mount's data to JSON twice on every run (the message and the element's identity), ~5 ms for a 330 kB one;
    bytes it only hashes."""
    ident = hashlib.sha1(src.encode()).hexdigest()
    return PickSource(ident, SOURCE_MAGIC + json.dumps({"id": ident, "src": src}).encode())


def frames_source(frames: dict[Any, str]) -> PickSource:
    """A flipbook's pictures (live_frames), {slider value: pictures.picture_html}, as a source mount's bytes like a
    picker's (pick_source): build it where the pictures are cached; Streamlit's message cache then sends it once."""
    body = {str(value): html for value, html in frames.items()}
    ident = hashlib.sha1(json.dumps(body).encode()).hexdigest()
    return PickSource(ident, SOURCE_MAGIC + json.dumps({"id": ident, "frames": body}).encode())


def live_frames(group: str, slider_key: str, value: Any, source: PickSource, key: str) -> None:
    """A picture that shows, at once as the live slider `slider_key` of `group` moves, the frame of `source`
    (frames_source) for its value: pictures the server drew ahead for every value (the Training replay's epochs), so
    nothing is decoded here and nothing waits for Python. `value`: the frame shown until the slider is mounted."""
    _live(key=f"{key}_source_{source.id[:16]}", data=source.message)
    _live(key=key, data={"kind": "frames", "group": group, "key": slider_key, "source": source.id, "value": value},
          width="content")


def live_chart(group: str, slider_key: str, value: Any, chart: dict[str, Any], key: str) -> None:
    """A line chart drawn in the browser at its column's width (chart.js), with a marker at the value of the live
    slider `slider_key` of `group` that moves as the thumb does (`value`: where it stands until the slider is
    mounted). `chart`: "series" [{name, colour, x, y}], axes "x" and "y" {lo, hi, log, ticks [[v, text]], title}
    (a log axis's lo and hi in log10 units), "marks" {str(slider value): {x, label, alt}} (the marker's place,
    its label and the chart's text alternative there), "width" and "height" (px, at most)."""
    _live(key=key, data={"kind": "chart", "group": group, "key": slider_key, "value": value, **chart})


def _pick(component_key: str, choose: Callable[[int], None]) -> None:
    """The pick trigger's callback, before the rerun: hand the picked item's id to `choose` (the value came from a
    browser: anything but an int is dropped; `choose` checks the range)."""
    _came_back()
    picked = st.session_state[component_key].get("pick")
    if isinstance(picked, int) and not isinstance(picked, bool):
        choose(picked)


@dataclass(frozen=True)
class PickerVariants:
    """The pictures a picker shows at once when the live slider or choice `key` of `group` moves from this run's
    `value` to one of theirs (the manifold's grids of the neighbouring sizes, eps or ranges, and of its other
    spacing; the map's other range): value -> (source, view). The release's rerun then sends the new ones."""

    group: str
    key: str
    value: float | str | bool
    views: dict[float | str | bool, tuple[PickSource, dict[str, Any]]]


def value_text(value: float | str | bool) -> str:
    """A slider value as the browser writes the number (String(Number(...))): 20, 0.06, 2.5, a live choice's
    label as it is, a switch's "true" or "false"; the key its variant goes by."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else f"{value:g}"


def picture_picker(source: PickSource, view: dict[str, Any], choose: Callable[[int], None], key: str,
                   variants: Sequence[PickerVariants] = (), picture: Callable[[], bytes] | None = None) -> None:
    """A picture the user picks from with one click, one tap, or the arrow keys and Enter (pick.js); `choose`
    gets the picked item's id (a cell's index when `view` has a grid, else a target's id) in a callback before the
    rerun. `source` is pick_source's; `view` holds what changes from run to run, all small: width (px), alt,
    label (the keyboard help), title, x and y ({title, ticks: [[fraction, text], ...]}, y from the top), legend
    ({title, items: [[text, colour], ...]}), marks ({cross, ring: [x, y], ellipse: [[x, y], ...]} in fractions),
    grid ({n, x: [text per column], y: [text per row]}), and for a grid whose ring follows a sidebar digit button
    at once, follow ({dims, axis: [z per cell], cell: px, mu, slice}: pick.js onDigit), and for a picture the
    browser draws from points (`source` a points_message: the latent map), scatter ({group, key, classes, colours,
    px, dot, cells, alt}: scatter.js) and plane ({box, ...}: the points' place). Each source mount is keyed
    by its id: a source sent in an earlier run under the same key is the same message, which Streamlit's message
    cache sends as a reference.
    Until the browser is known to run the picker (scripts_run), the picture also goes as a plain picture, hidden
    once the picker is drawn (a grid's pixels kept square, a chart's smoothed): the source's, else `picture()`'s
    PNG."""
    if not scripts_run():  # the picture alone, for a browser that cannot run the picker (hidden once it does)
        with fallback(f"{key}_picture"):
            png = picture() if picture else source.png()
            st.html(picture_html(png, view["alt"], None, view["width"], smooth=not view.get("grid")))
    # The picture's source, the picker, then the variants' sources: the browser draws the picture as soon as the
    # first two arrive; the variants' (new ones on a new pair of dimensions or digit) follow.
    _live(key=f"{key}_source_{source.id[:16]}", data=source.message)
    data = {"kind": "pick", "source": source.id, **view}
    if variants:
        data["variants"] = [{"group": v.group, "key": v.key, "value": value_text(v.value),
                             "views": {value_text(k): {"source": s.id, **w} for k, (s, w) in v.views.items()}}
                            for v in variants]
    _live(key=key, data=data, on_pick_change=functools.partial(_pick, key, choose))
    held = {s.id: s for v in variants for s, _ in v.views.values() if s.id != source.id}
    for ident, s in held.items():
        _live(key=f"{key}_source_{ident[:16]}", data=s.message)


@dataclass(frozen=True)
class DigitChoice:
    """A button of the sidebar's digit panel: `html` is the picture it makes current, drawn by the browser at once
    (as pictures.picture_html draws it); `name` that digit's (common.Digit.name); `posterior` its q(z|x) as
    (mu, std): a latent map marks it at once, as after a pick, and live pictures around the current digit redraw
    with it; `on_click(*args)` is what Python does, the same as the button's Streamlit twin."""

    id: str
    text: str
    help: str
    html: str
    name: str
    posterior: tuple[list[float], list[float]]
    on_click: Callable[..., None]
    args: tuple = ()


def _choose(component_key: str, choices: dict[str, DigitChoice]) -> None:
    """The panel's trigger callback, before the rerun: the chosen button's action (an unknown id, which only a
    browser could send, is dropped)."""
    _came_back()
    chosen = st.session_state[component_key].get("choose")
    choice = choices.get(chosen) if isinstance(chosen, str) else None
    if choice:
        choice.on_click(*choice.args)


def digit_picture(html: str, key: str) -> None:
    """The sidebar's current digit (pictures.picture_html), which the panel's buttons replace at once (digits.js)."""
    _live(key=key, data={"kind": "digit_picture", "html": html})


def digit_buttons(rows: Sequence[tuple[str, Sequence[DigitChoice]]], key: str) -> None:
    """The sidebar's digit buttons, rows of (layout, choices): layout "wrap" (a row that wraps: the classes), "pair"
    (two equal halves: previous and next) or "wide" (one full-width button). A press draws its picture in
    digit_picture at once and tells the page's live elements, then Python reruns the app with the choice."""
    sent = ("id", "text", "help", "html", "name", "posterior")
    data = {"kind": "digit_buttons", "rows": [{"layout": layout, "choices": [{k: getattr(c, k) for k in sent}
                                                                           for c in choices]}
                                              for layout, choices in rows]}
    every = {c.id: c for _, choices in rows for c in choices}
    _live(key=key, data=data, on_choose_change=functools.partial(_choose, key, every))
