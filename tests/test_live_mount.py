"""The model's weights are mounted once per session and network (views.live.mount_model), and again when the
browser says it lacks them."""

from __future__ import annotations

import json

from tests.apptest import live_mounts, open_page, send_trigger, switch_page
from views.live import SENT

WEIGHTS = "vae_live_model"


def mounted(at) -> str:
    """'bytes', or the sha1 a small mount names."""
    proto = live_mounts(at)[WEIGHTS]
    return "bytes" if proto.WhichOneof("data") == "bytes" else json.loads(proto.json)["model"]


def test_weights_are_mounted_once_per_session_then_named_by_sha1() -> None:
    at = open_page("variance", "mnist-z2")
    assert mounted(at) == "bytes"
    sha1 = json.loads(live_mounts(at)["live_variance_slider"].json)["model"]  # what the live elements name
    at.slider(key="variance_scale").set_value(2.0).run()
    assert mounted(at) == sha1
    switch_page(at, "sample")  # another page of the same session: the browser still holds them
    assert mounted(at) == sha1
    assert at.session_state[SENT] == {sha1}


def test_weights_are_mounted_again_when_the_browser_lacks_them() -> None:
    at = open_page("sample", "mnist-z2")
    at.run()
    sha1 = mounted(at)
    send_trigger(at, WEIGHTS, "lacking", sha1)
    assert mounted(at) == "bytes"
    at.run()
    assert mounted(at) == sha1


def test_a_model_switch_mounts_the_new_models_weights() -> None:
    at = open_page("sample", "mnist-z2")
    at.run()
    first = mounted(at)
    at.selectbox(key="model").set_value("mnist-z20").run()
    assert mounted(at) == "bytes"
    at.run()
    second = mounted(at)
    assert second != first
    assert at.session_state[SENT] == {first, second}


def test_a_new_session_mounts_the_weights_again() -> None:
    """A page reload or a reconnect to another replica is a new session: it starts with nothing sent."""
    at = open_page("variance", "mnist-z2")
    at.run()
    assert mounted(at) != "bytes"
    assert mounted(open_page("variance", "mnist-z2")) == "bytes"
