"""AppTest checks of the drawing's map on the Upload & draw page: the browser gets the test digits' mu in every
dimension once (views/live/draw.js plots the two chosen), and the map's axis selects are live."""

from __future__ import annotations

import numpy as np

from tests.apptest import loaded_model, mount_data, open_page, points_data, send_trigger

KEYS = ("draw_x_mnist-z20", "draw_y_mnist-z20")


def points(at) -> dict:
    """The drawing map's points message: its header with xy as an (N, dim) array."""
    return points_data(at, "draw_canvas_source_points")


def test_the_map_gets_every_dimension_once_and_its_axis_selects_are_live():
    at = open_page("upload", "mnist-z20")
    sent, mu = points(at), loaded_model(at).latents["test_mu"].numpy()
    np.testing.assert_array_equal(sent["xy"], mu.astype("<f4"))
    np.testing.assert_allclose(sent["lows"], np.percentile(mu, 0.5, axis=0), rtol=1e-6)
    np.testing.assert_allclose(sent["highs"], np.percentile(mu, 99.5, axis=0), rtol=1e-6)
    x_select, y_select = (mount_data(at, f"live_{key}") for key in KEYS)
    assert (x_select["style"], x_select["group"], x_select["model"]) == ("select", "draw", None)
    draw = mount_data(at, "draw_canvas")
    assert (draw["group"], draw["keys"], draw["dims"]) == ("draw", list(KEYS), [x_select["value"], y_select["value"]])


def test_a_released_axis_moves_the_map_and_sends_no_new_points_and_what_is_not_one_is_dropped():
    at = open_page("upload", "mnist-z20")
    ident, (d0, d1) = points(at)["id"], mount_data(at, "draw_canvas")["dims"]
    new = next(d for d in range(20) if d not in (d0, d1))
    for bad in ("z5", 20, -1, True, None, 5.5):
        send_trigger(at, f"live_{KEYS[0]}", "release", {KEYS[0]: bad})
        assert mount_data(at, "draw_canvas")["dims"] == [d0, d1], bad
    send_trigger(at, f"live_{KEYS[0]}", "release", {KEYS[0]: new})
    assert mount_data(at, "draw_canvas")["dims"] == [new, d1] and points(at)["id"] == ident
    send_trigger(at, f"live_{KEYS[0]}", "release", {KEYS[0]: d1})
    assert [w.value for w in at.warning] == ["Choose two different dimensions for the map."]


def test_the_2d_models_map_has_no_axis_selects():
    at = open_page("upload", "mnist-z2")
    assert points(at)["dim"] == 2 and mount_data(at, "draw_canvas")["dims"] == [0, 1]
    assert not [e.key for e in at.get("bidi_component") if e.key.startswith("live_draw_")]
