"""AppTest checks of the Interpolate page: strips between two endpoints, a frame slider, uploaded endpoints."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from tests.apptest import (
    MODELS,
    Picture,
    current_digit,
    image_picture,
    image_urls,
    is_decoded,
    loaded_model,
    mount_data,
    open_latent_space_page,
    send_trigger,
)
from vae_core.analysis import encode_mean, interpolation_strip
from vae_core.digits import load_test_digits
from vae_core.latent import interpolate, pixel_crossfade
from vae_core.render import decode_images, to_uint8
from views import state_keys
from views.live import strip_width
from views.pages.interpolate import STRIP_WIDTH


def large_frame(at: AppTest) -> Picture:
    return image_picture(at, "frame ")


@pytest.mark.parametrize("model", MODELS)
def test_interpolation_steps_slider_changes_the_strips_and_the_frame_range(model):
    at = open_latent_space_page("interpolate", model)
    before = image_urls(at)
    at.slider(key="interp_steps").set_value(16).run()
    assert image_urls(at) != before
    assert at.slider(key="interp_t").max == 15


def test_interpolation_frame_slider_changes_only_the_large_frame():
    at = open_latent_space_page("interpolate", "mnist-z20")
    strips, frame = image_urls(at)[:2], large_frame(at)
    at.slider(key="interp_t").set_value(5).run()
    assert large_frame(at).caption == "frame 5 of 9: t = 0.56"
    assert large_frame(at).src != frame.src
    assert image_urls(at)[:2] == strips


@pytest.mark.parametrize("model", MODELS)
def test_interpolation_first_and_last_frames_are_the_decoded_endpoints(model):
    """Default endpoints are the class-4 and class-9 centroids; 'Use this frame' stores frame t's picture."""
    at = open_latent_space_page("interpolate", model)
    centroids = loaded_model(at).latents["class_centroids"]
    at.button(key="interp_use_frame").click().run()
    assert is_decoded(current_digit(at).x, model, centroids[4])
    at.slider(key="interp_t").set_value(at.slider(key="interp_t").max).run()
    at.button(key="interp_use_frame").click().run()
    assert is_decoded(current_digit(at).x, model, centroids[9])
    assert "class 4 to class 9" in current_digit(at).source


def test_interpolation_offers_an_uploaded_endpoint_when_one_is_given():
    at = open_latent_space_page("interpolate", "mnist-z20")
    assert "from upload/drawing" not in at.selectbox(key="interp_a").options
    at.session_state[state_keys.INTERP_ENDPOINT.format("A")] = np.zeros(784, dtype=np.float32)
    at.run()
    assert "from upload/drawing" in at.selectbox(key="interp_a").options
    at.selectbox(key="interp_a").set_value("from upload/drawing").run()
    assert not at.exception


def test_interpolation_fewer_steps_keep_the_frame_slider_in_range():
    at = open_latent_space_page("interpolate", "mnist-z2")
    at.slider(key="interp_t").set_value(9).run()
    at.slider(key="interp_steps").set_value(4).run()
    assert not at.exception
    assert at.slider(key="interp_t").value == 3


def test_interpolation_offers_png_and_gif_downloads():
    at = open_latent_space_page("interpolate", "mnist-z2")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Strip as PNG", "Path as animated GIF"]


def test_an_endpoint_can_be_a_real_test_digit():
    at = open_latent_space_page("interpolate", "mnist-z2")
    at.selectbox(key="interp_a").set_value("real 7").run()
    at.button(key="interp_use_frame").click().run()  # frame 0 is endpoint A
    seven = load_test_digits().grey(int(load_test_digits().of_class(7)[0]))
    assert is_decoded(current_digit(at).x, "mnist-z2", encode_mean(loaded_model(at).model, seven))


@pytest.mark.parametrize("path_name", ["linear", "spherical (slerp)"])
def test_the_live_strips_draw_the_servers_strips_for_every_count(path_name: str) -> None:
    """The live strips' data (live.js modes 'between' and 'crossfade', which mirror vae_core.latent: see
    tests/test_live_js.py): for each count k of the Steps slider, the path from a to b by `method` decodes to the
    frames the server shows for k steps, the ends cross-fade to its cross-fade, and widths[k] is how wide show_grid
    shows a strip of k. Each mount names its slider's key, whose value sets the number of pictures (n is None)."""
    at = open_latent_space_page("interpolate", "mnist-z20")
    at.radio(key="interp_method").set_value(path_name).run()
    path, fade = mount_data(at, "live_interp_latent_strip"), mount_data(at, "live_interp_crossfade")
    model, centroids = loaded_model(at).model, loaded_model(at).latents["class_centroids"]
    method = {"linear": "linear", "spherical (slerp)": "slerp"}[path_name]
    assert (path["mode"], path["method"], fade["mode"]) == ("between", method, "crossfade")
    assert path["key"] == fade["key"] == "interp_steps" and path["n"] is fade["n"] is None  # n follows the value
    a, b = torch.tensor(path["a"]), torch.tensor(path["b"])
    assert torch.allclose(a, centroids[4]) and torch.allclose(b, centroids[9])  # the default endpoints
    ends = torch.tensor(fade["ends"]).float() / 255.0
    for k in (3, 10, 24):
        server = interpolation_strip(model, centroids[4], centroids[9], k, method)
        assert np.array_equal(decode_images(model, interpolate(a, b, k, method)), server.frames)
        assert np.array_equal(to_uint8(pixel_crossfade(ends[0], ends[1], k)), server.crossfade)
        assert path["widths"][str(k)] == fade["widths"][str(k)] == strip_width(k, STRIP_WIDTH)


def test_the_live_path_choice_holds_the_other_paths_strip_and_frame_as_the_page_then_draws_them() -> None:
    """The path is a live choice for both the strips' group and the frame's: the latent strip holds the other
    path's method and words, the frame that path's codes, and a release of the choice sets the path and mounts
    exactly those (a label that is not a path is dropped)."""
    at = open_latent_space_page("interpolate", "mnist-z20")
    slerp = "spherical (slerp)"
    strip, frame = mount_data(at, "live_interp_latent_strip"), mount_data(at, "live_interp_frame")
    assert mount_data(at, "live_interp_method")["group"] == ["interp_steps", "interp"]
    assert strip["words"] == {"a": "class 4", "b": "class 9", "path": "linear"} and "{path}" in strip["alt"]
    held_strip, held_frame = (data["variants"]["interp_method"]["held"][slerp] for data in (strip, frame))
    send_trigger(at, "live_interp_method", "release", {"interp_method": "great circle"})
    assert at.radio(key="interp_method").value == "linear"
    send_trigger(at, "live_interp_method", "release", {"interp_method": slerp})
    assert at.radio(key="interp_method").value == slerp
    strip, frame = mount_data(at, "live_interp_latent_strip"), mount_data(at, "live_interp_frame")
    assert (strip["method"], strip["words"]) == (held_strip["method"], held_strip["words"]) == (
        "slerp", {"a": "class 4", "b": "class 9", "path": slerp})
    assert frame["codes"] == held_frame["codes"] and held_frame["method"] == "slerp"
    assert frame["codes"] != mount_data(at, "live_interp_frame")["variants"]["interp_method"]["held"]["linear"][
        "codes"]


def test_the_live_endpoint_selects_hold_every_other_endpoint_as_the_page_then_draws_it() -> None:
    """Each endpoint is a live select box for the strips' and the frame's groups: all three pictures hold, for
    every other choice of that end, its code (decoded in the browser where the picture shows decoded ends), the
    ends that then follow the current digit and the words of the text alternatives; a release sets the end and
    mounts exactly those, and the cross-fade's end picture is that code decoded. A label that is not a choice is
    dropped."""
    at = open_latent_space_page("interpolate", "mnist-z20")
    model = loaded_model(at).model
    select = mount_data(at, "live_interp_a")
    assert (select["style"], select["group"], select["value"]) == ("select", ["interp_steps", "interp"], "class 4")
    mounts = ("live_interp_latent_strip", "live_interp_crossfade", "live_interp_frame")
    held = [mount_data(at, k)["variants"]["interp_a"]["held"] for k in mounts]
    assert held[0] == held[1] == held[2] and sorted(held[0]) == sorted(set(select["options"]) - {"class 4"})
    assert held[0]["current digit"]["follows"] == ["a"] and held[0]["real 7"]["decode"] == ["a"]
    send_trigger(at, "live_interp_a", "release", {"interp_a": "class 42"})
    assert at.selectbox(key="interp_a").value == "class 4"
    send_trigger(at, "live_interp_a", "release", {"interp_a": "real 7"})
    assert at.selectbox(key="interp_a").value == "real 7"
    strip, fade, frame = (mount_data(at, k) for k in mounts)
    wanted = held[0]["real 7"]
    assert strip["a"] == fade["a"] == frame["a"] == wanted["a"] and strip["follows"] == wanted["follows"] == []
    assert strip["words"] == wanted["words"] == {"a": "real 7", "b": "class 9", "path": "linear"}
    decoded = decode_images(model, torch.tensor(wanted["a"])[None])[0]
    assert fade["ends"][0] == decoded.ravel().tolist()
