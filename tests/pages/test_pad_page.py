"""AppTest checks of the Latent pad page: its axes' controls are live (two selects and a range slider over their
Streamlit twins), the pad follows them in the browser (views/live/pad.js), and their releases reach Python."""

from __future__ import annotations

import numpy as np
import pytest

from tests.apptest import loaded_model, mount_data, open_page, points_data, send_trigger
from views.controls import PAD_BACKDROP, PAD_POINTS, PAD_RANGE


def pad(at) -> dict:
    return mount_data(at, "latent_pad")


def test_the_axes_controls_are_live_and_the_pad_follows_their_keys():
    """The dimensions are live selects and the range a live range slider (a two-item value), all of group "pad",
    shown at once (no model needed); the pad names that group and the controls' keys, and starts where they stand."""
    at = open_page("pad", "mnist-z20")
    x_select, y_select = mount_data(at, "live_pad_x_mnist-z20"), mount_data(at, "live_pad_y_mnist-z20")
    (range_slider,) = mount_data(at, "live_pad_range")["sliders"]
    assert (x_select["style"], x_select["group"], x_select["model"]) == ("select", "pad", None)
    assert x_select["options"] == list(range(20)) and x_select["labels"][:2] == ["z0", "z1"]
    assert (range_slider["key"], range_slider["value"], range_slider["step"]) == (PAD_RANGE.key, [-3.0, 3.0], 0.5)
    assert (pad(at)["group"], pad(at)["keys"]) == (
        "pad", ["pad_x_mnist-z20", "pad_y_mnist-z20", PAD_RANGE.key, PAD_BACKDROP.key, PAD_POINTS.key])
    assert pad(at)["dims"] == [x_select["value"], y_select["value"]] and pad(at)["range"] == [-3.0, 3.0]


def test_a_released_range_is_snapped_and_ordered_and_what_is_not_one_is_dropped():
    at = open_page("pad", "mnist-z2")
    for bad in (2.0, [1.0], [1.0, 2.0, 3.0], ["-1", "2"], [True, 2.0], None, "wide"):
        send_trigger(at, "live_pad_range", "release", {PAD_RANGE.key: bad})
        assert pad(at)["range"] == [-3.0, 3.0], bad
    send_trigger(at, "live_pad_range", "release", {PAD_RANGE.key: [2.2, -9.0]})
    assert pad(at)["range"] == [-6.0, 2.0]
    assert at.query_params[PAD_RANGE.key] == ["-6", "2"]  # the link holds it


def test_the_decoded_digits_behind_the_pad_are_a_live_switch_whose_release_reaches_the_pad_and_the_link():
    """On at first; the switch is live in the pad's group (the pad follows it at once, keys[3]). A release turns it
    off in the pad's data and the link; what only a browser could send leaves it as it was; a link turns it off."""
    at = open_page("pad", "mnist-z2")
    switch = mount_data(at, "live_pad_backdrop")
    assert (switch["style"], switch["group"], switch["key"]) == ("switch", "pad", PAD_BACKDROP.key)
    assert switch["value"] is True
    assert switch["help"].startswith("Each faint digit is what the decoder makes of the point at its centre")
    assert pad(at)["backdrop"] is True
    for bad in ("false", 0, None, [False]):
        send_trigger(at, "live_pad_backdrop", "release", {PAD_BACKDROP.key: bad})
        assert pad(at)["backdrop"] is True, bad
    send_trigger(at, "live_pad_backdrop", "release", {PAD_BACKDROP.key: False})
    assert pad(at)["backdrop"] is False and at.toggle(key=PAD_BACKDROP.key).value is False
    assert at.query_params[PAD_BACKDROP.key] == "false"
    assert pad(open_page("pad", "mnist-z2", pad_backdrop="false"))["backdrop"] is False


def test_on_a_2d_model_the_test_digits_mu_are_dots_on_the_pad_behind_a_live_switch_held_in_the_link():
    """Every test digit's mu is a point of a 2-D model's pad: the browser gets them once (the drawing map's points
    message) and dots them, behind a live switch of the pad's group (keys[4]) that is on at first. A release turns
    the dots off in the pad's data and the link; what only a browser could send leaves them; a link turns them off."""
    at = open_page("pad", "mnist-z2")
    sent = points_data(at, "latent_pad_source_points")
    np.testing.assert_array_equal(sent["xy"], loaded_model(at).latents["test_mu"].numpy().astype("<f4"))
    assert (pad(at)["points"], pad(at)["showPoints"]) == (sent["id"], True)
    switch = mount_data(at, "live_pad_points")
    assert (switch["style"], switch["group"], switch["key"], switch["value"]) == ("switch", "pad", PAD_POINTS.key, True)
    for bad in ("false", 0, None):
        send_trigger(at, "live_pad_points", "release", {PAD_POINTS.key: bad})
        assert pad(at)["showPoints"] is True, bad
    send_trigger(at, "live_pad_points", "release", {PAD_POINTS.key: False})
    assert pad(at)["showPoints"] is False and at.query_params[PAD_POINTS.key] == "false"
    assert pad(at)["points"] == sent["id"]  # the switch hides them; the browser keeps them for turning back on
    assert pad(open_page("pad", "mnist-z2", pad_points="false"))["showPoints"] is False


def test_on_a_larger_model_the_pad_is_a_slice_and_has_no_test_digits_dots():
    """On the 20-D model the test digits' codes lie off the slice the pad shows: no dots, no switch for them."""
    at = open_page("pad", "mnist-z20")
    assert (pad(at)["points"], pad(at)["showPoints"]) == (None, False)
    keys = {e.key for e in at.get("bidi_component")}
    assert "live_pad_points" not in keys and "latent_pad_source_points" not in keys
    assert PAD_POINTS.key not in {t.key for t in at.toggle}


@pytest.mark.parametrize(("release", "warning"), [
    ({"pad_x_mnist-z2": 1}, "Choose two different dimensions."),
    ({PAD_RANGE.key: [1.0, 1.0]}, "Choose a range wider than one point."),
])
def test_a_released_axis_the_pad_cannot_show_says_why_and_the_controls_stay(release: dict, warning: str):
    at = open_page("pad", "mnist-z2")
    key = next(iter(release))
    send_trigger(at, f"live_{key}", "release", release)
    assert [w.value for w in at.warning] == [warning]
    assert "latent_pad" not in {e.key for e in at.get("bidi_component")}
    assert {"live_pad_x_mnist-z2", "live_pad_y_mnist-z2", "live_pad_range"} <= {e.key for e in at.get("bidi_component")}
