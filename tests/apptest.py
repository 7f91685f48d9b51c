"""Driving app.py in AppTest, shared by the AppTest checks.

`open_page`, `mount_data` and `pick` are the only code that touches Streamlit's private internals, so a
Streamlit upgrade that changes them breaks this module alone. The rest reads what a run shows.
"""

from __future__ import annotations

import base64
import cProfile
import html
import io
import json
import re
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block
from streamlit.util import calc_hash

from vae_core.analysis import DigitReport, describe_digit
from vae_core.registry import LoadedModel, load
from vae_core.render import decode_images
from views import state_keys
from views.common import Digit
from views.live import POINTS_MAGIC, SOURCE_MAGIC

ROOT = Path(__file__).resolve().parent.parent
MODELS = {"mnist-z2": 2, "mnist-z20": 20}  # shipped models the page tests run on, by latent size: a 2-D and a 20-D
LATENT_SPACE_HEADINGS = {"interpolate": "Interpolation in latent space", "manifold": "The learned manifold",
                         "map": "Latent map"}


def open_page(url_path: str, model: str | None = None, timeout: float = 60, **query: str) -> AppTest:
    """Run app.py as if the browser opened /<url_path>?model=<model>&<query> (the sidebar's model picker, the seed
    and the views' settings are bound to the URL); url_path "" is the app's root, which shows the default page.

    Our pages are callables given to st.navigation, and AppTest.switch_page only resolves page *files*.
    A st.Page is identified by calc_hash(url_path) -- the hash the browser requests for /<url_path> --
    so we request that hash directly (AppTest keeps it in `_page_hash`; there is no public setter), and
    check that the page really opened, so a change in AppTest fails loudly instead of testing the default page.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if model is not None:
        at.query_params["model"] = model
    for key, value in query.items():
        at.query_params[key] = value
    return switch_page(at, url_path)


def switch_page(at: AppTest, url_path: str) -> AppTest:
    """Run `at` on /<url_path> (the same session: as a click in the navigation does); "" is the default page."""
    if url_path:
        at._page_hash = calc_hash(url_path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if url_path:
        assert at._finished_page_script_hash == calc_hash(url_path), f"page {url_path!r} did not open"
    return at


def open_latent_space_page(url_path: str, model: str) -> AppTest:
    """One of the LATENT_SPACE_HEADINGS pages on `model`, with time for their larger figures; every test that
    opens one also sees its heading."""
    at = open_page(url_path, model, timeout=120)
    assert LATENT_SPACE_HEADINGS[url_path] in [h.value for h in at.subheader]
    return at


def chart(at: AppTest, key: str):
    """The st.plotly_chart with widget key `key`."""
    return next(c for c in at.get("plotly_chart") if c.key == key)


def figure(at: AppTest, key: str) -> dict:
    """The plotly figure of chart `key`, as the JSON the browser receives."""
    return json.loads(chart(at, key).proto.spec)


def mount(at: AppTest, key: str):
    """The mount of the "vae_live" component (views.live) with key `key`."""
    found = [e for e in at.get("bidi_component") if e.key == key]
    assert len(found) == 1, f"expected one mount keyed {key!r}, found {len(found)}"
    return found[0]


def mount_data(at: AppTest, key: str) -> dict:
    """The JSON data of mount `key`, as the browser receives it."""
    return json.loads(mount(at, key).proto.json)


def pick_source_data(at: AppTest, picker: str, source: str | None = None) -> dict:
    """The source (views.live.pick_source: SOURCE_MAGIC, then JSON) of the picture picker mounted with key
    `picker` as a dict: id and src (the picture's data URI). `source`: that id (a variant's), else the
    picture the picker shows."""
    ident = source or mount_data(at, picker)["source"]
    message = mount(at, f"{picker}_source_{ident[:16]}").proto.bytes
    assert message[:4] == SOURCE_MAGIC, f"the source of {picker!r} is not a picker's source"
    return json.loads(message[4:])


def points_data(at: AppTest, key: str) -> dict:
    """The points message mounted with `key` (views.live.points_message), read as draw.js receivePoints reads it:
    its header (id, count, dim, ...) with xy (N, dim), cov (N, 3: xx, xy, yy) where sent, and labels (N,)."""
    message = mount(at, key).proto.bytes
    assert message[:4] == POINTS_MAGIC, f"{key!r} is not a points message"
    length = struct.unpack("<I", message[4:8])[0]
    header = json.loads(message[8:8 + length])
    n, dim, body = header["count"], header["dim"], message[8 + length:]
    cov_at, labels_at = 4 * dim * n, (4 * dim + (12 if header["cov"] else 0)) * n
    header["xy"] = np.frombuffer(body, "<f4", dim * n).reshape(n, dim)
    header["cov"] = np.frombuffer(body, "<f4", 3 * n, cov_at).reshape(n, 3) if header["cov"] else None
    header["labels"] = np.frombuffer(body, np.uint8, n, labels_at)
    return header


def frames_data(at: AppTest, key: str) -> dict[str, str]:
    """The frames {value: HTML} of the flipbook mounted with `key` (views.live.live_frames)."""
    return pick_source_data(at, key)["frames"]


def pick(at: AppTest, key: str, value: object) -> AppTest:
    """Rerun as after a pick on the picture picker `key` (views.live.picture_picker): the browser sends the
    trigger value "pick" = `value` in the component's trigger widget (its id: the mount's id and "events", see
    streamlit/components/v2/bidi_component/main.py), alongside every other widget's state (private AppTest entry
    points: the tree's widget states and `_run`)."""
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = f"$$STREAMLIT_INTERNAL_KEY_{mount(at, key).proto.id}__events"
    state.json_trigger_value = json.dumps([{"event": "pick", "value": value}])
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at


def live_mounts(at: AppTest) -> dict:
    """The mounts of the "vae_live" component (views.live) by widget key: their BidiComponent protos (`.bytes`
    for a bytes mount, `.json` for data)."""
    return {e.key: e.proto for e in at.get("bidi_component")}


def send_trigger(at: AppTest, key: str, event: str, value: object) -> AppTest:
    """Run `at` as after the browser's setTriggerValue(event, value) in the component mounted with `key`."""
    trigger_id = _make_trigger_id(live_mounts(at)[key].id, "events")
    return _run_with_widget(at, trigger_id, json_trigger_value=json.dumps([{"event": event, "value": value}]))


def send_state(at: AppTest, key: str, state: dict) -> AppTest:
    """Run `at` as after the browser's setStateValue(name, value) for each of `state` in the component mounted with
    `key` (the component's whole state: what it set before is in it too)."""
    return _run_with_widget(at, live_mounts(at)[key].id, json_value=json.dumps(state))


def _run_with_widget(at: AppTest, widget_id: str, **value: str) -> AppTest:
    """Run `at` with the widget `widget_id` set to `value` (one field of Streamlit's WidgetState), as a browser
    would send it; no exception."""
    states = at._tree.get_widget_states()
    widget = states.widgets.add()
    widget.id = widget_id
    for field, text in value.items():
        setattr(widget, field, text)
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at


@contextmanager
def profiled(profile: cProfile.Profile) -> Iterator[None]:
    """Within it, every AppTest script run is profiled by `profile` (a run is a thread of its own, which
    `profile.enable()` in the test's thread would not see). For benchmarks/bench_reruns.py."""
    original = ScriptRunner._run_script

    def run_script(self, *args, **kwargs):
        profile.enable()
        try:
            return original(self, *args, **kwargs)
        finally:
            profile.disable()

    ScriptRunner._run_script = run_script
    try:
        yield
    finally:
        ScriptRunner._run_script = original


def loaded_model(at: AppTest) -> LoadedModel:
    return at.session_state[state_keys.LOADED_MODEL]


def current_digit(at: AppTest) -> Digit:
    return at.session_state[state_keys.DIGIT]


def current_report(at: AppTest, n_samples: int = 0) -> DigitReport:
    """What vae_core says about the digit, model and seed the app is showing."""
    seed = int(at.session_state[state_keys.SEED])
    return describe_digit(loaded_model(at).model, current_digit(at).x, n_samples, seed=seed)


def shown_metrics(at: AppTest) -> dict[str, str]:
    """label -> value of every st.metric."""
    return {m.label: m.value for m in at.metric}


def report_metrics(report: DigitReport, decimals: int) -> dict[str, str]:
    """The ELBO and its two terms as the pages show them, to `decimals` places."""
    return {"ELBO": f"{report.elbo:.{decimals}f}", "log p(x|z)": f"{report.log_likelihood:.{decimals}f}",
            "KL": f"{report.kl:.{decimals}f}"}


@dataclass(frozen=True)
class Picture:
    """A picture as views.pictures shows it: its data URI (the PNG's bytes), text alternative, caption, width."""

    src: str
    alt: str
    caption: str
    width: int


PICTURE = re.compile(r'<img src="([^"]*)" alt="([^"]*)" width="(\d+)"[^>]*>(?:<figcaption>(.*?)</figcaption>)?')


def pictures(node: AppTest | Block) -> list[Picture]:
    """The pictures in the app (`at`) or one of its areas (`at.main`), in page order."""
    return [Picture(src, html.unescape(alt), html.unescape(caption or ""), int(width))
            for element in node.get("html") for src, alt, width, caption in PICTURE.findall(element.proto.body)]


def image_urls(node: AppTest | Block) -> list[str]:
    """The data URIs of the pictures in `node`: equal URIs are equal PNG bytes."""
    return [p.src for p in pictures(node)]


def captions(at: AppTest) -> list[str]:
    """The captions of the pictures in the main area."""
    return [p.caption for p in pictures(at.main)]


def image_picture(at: AppTest, caption_start: str) -> Picture:
    """The one picture in the main area whose caption starts with `caption_start`."""
    found = [p for p in pictures(at.main) if p.caption.startswith(caption_start)]
    assert len(found) == 1, f"expected one picture captioned {caption_start!r}, found {len(found)}"
    return found[0]


def image_url(at: AppTest, caption_start: str) -> str:
    """The data URI of the one picture in the main area whose caption starts with `caption_start`."""
    return image_picture(at, caption_start).src


def is_decoded(x: np.ndarray, model_name: str, code: torch.Tensor) -> bool:
    """Whether the digit x is the decoded picture of `code` (up to 8-bit rounding of the grey levels)."""
    picture = decode_images(load(ROOT / "pretrained" / model_name).model, code)[0].reshape(-1) / 255.0
    return x.shape == picture.shape and bool(np.abs(x - picture).max() <= 1 / 255 + 1e-6)


def picture(data_uri: str) -> Image.Image:
    """The image in a base64 data URI, as plotly figures and picture pickers carry their pictures."""
    return Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1])))


def assert_each_redraws(at: AppTest, caption_start: str, *interactions: Callable[[], object]) -> None:
    """Each interaction in turn changes the picture captioned `caption_start`."""
    for interact in interactions:
        before = image_url(at, caption_start)
        interact()
        assert image_url(at, caption_start) != before, f"{caption_start!r} did not change"
