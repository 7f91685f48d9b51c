"""AppTest checks of the latent-space views: Interpolate, Manifold and Latent map."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests import pages
from vae_core.latent import grid_axis, manifold_grid
from vae_core.registry import load
from vae_core.render import decode_images
from views import state_keys
from views.picking import first_customdata

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["mnist-z2", "mnist-z20"]
PAGES = {"interpolate": "Interpolation in latent space", "manifold": "The learned manifold", "map": "Latent map"}


def open_page(url_path: str, model: str) -> AppTest:
    """The app on one page with one model; every test then also sees the page's heading."""
    at = pages.open_page(url_path, model, timeout=120)
    assert PAGES[url_path] in [h.value for h in at.subheader]
    return at


def chart(at: AppTest, key: str):
    return next(c for c in at.get("plotly_chart") if c.key == key)


def plotly_values(field) -> np.ndarray:
    """A trace field from the figure JSON: a list, or plotly's typed-array encoding of a numpy array."""
    if isinstance(field, dict) and "bdata" in field:
        return np.frombuffer(base64.b64decode(field["bdata"]), dtype=np.dtype(field["dtype"]))
    return np.asarray(field)


def figure(at: AppTest, key: str) -> dict:
    return json.loads(chart(at, key).proto.spec)


def click_point(at: AppTest, key: str, point: dict) -> AppTest:
    """Rerun as after a click on one point of an st.plotly_chart with on_select (or, sent again, as
    after any other interaction while the browser still shows that point selected).

    AppTest has no plotly widget to set, so this sends what the browser sends: the chart's widget
    state, a JSON selection, alongside every other widget's state, including clicks staged with
    `.click()` (private AppTest entry points: the tree's widget states and `_run`).
    """
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart(at, key).proto.id
    selection = {"points": [point], "point_indices": [point.get("point_index", 0)], "box": [], "lasso": []}
    state.string_value = json.dumps({"selection": selection})
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at


def current_digit(at: AppTest):
    return at.session_state[state_keys.DIGIT]


def is_decoded(x: np.ndarray, model_name: str, code: torch.Tensor) -> bool:
    """Whether the digit x is the decoded picture of `code` (up to 8-bit rounding of the grey levels)."""
    picture = decode_images(load(ROOT / "pretrained" / model_name).model, code)[0].reshape(-1) / 255.0
    return x.shape == picture.shape and bool(np.abs(x - picture).max() <= 1 / 255 + 1e-6)


def image_urls(at: AppTest) -> list[str]:
    return [url for img in at.get("image") for url in img.value]


def large_frame(at: AppTest):
    return next(img for img in at.get("image") if img.captions[0].startswith("frame "))


def png_size(data_uri: str) -> tuple[int, int]:
    return Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))).size


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("url_path", list(PAGES))
def test_view_renders_without_exception(url_path, model):
    at = open_page(url_path, model)
    assert at.session_state[state_keys.LOADED_MODEL].name == model


# --- Interpolate ---


@pytest.mark.parametrize("model", MODELS)
def test_interpolation_steps_slider_changes_the_strips_and_the_frame_range(model):
    at = open_page("interpolate", model)
    before = image_urls(at)
    at.slider(key="interp_steps").set_value(16).run()
    assert image_urls(at) != before
    assert at.slider(key="interp_t").max == 15


def test_interpolation_frame_slider_changes_only_the_large_frame():
    at = open_page("interpolate", "mnist-z20")
    strips, frame = image_urls(at)[:2], large_frame(at)
    at.slider(key="interp_t").set_value(5).run()
    assert large_frame(at).captions == ["frame 5 of 9: t = 0.56"]
    assert large_frame(at).value != frame.value
    assert image_urls(at)[:2] == strips


@pytest.mark.parametrize("model", MODELS)
def test_interpolation_first_and_last_frames_are_the_decoded_endpoints(model):
    """Default endpoints are the class-4 and class-9 centroids; 'Use this frame' stores frame t's picture."""
    at = open_page("interpolate", model)
    centroids = at.session_state[state_keys.LOADED_MODEL].latents["class_centroids"]
    at.button(key="interp_use_frame").click().run()
    assert is_decoded(current_digit(at).x, model, centroids[4])
    at.slider(key="interp_t").set_value(at.slider(key="interp_t").max).run()
    at.button(key="interp_use_frame").click().run()
    assert is_decoded(current_digit(at).x, model, centroids[9])
    assert "class 4 to class 9" in current_digit(at).source


def test_interpolation_offers_an_uploaded_endpoint_when_one_is_given():
    at = open_page("interpolate", "mnist-z20")
    assert "from upload/drawing" not in at.selectbox(key="interp_a").options
    at.session_state[state_keys.INTERP_ENDPOINT.format("A")] = np.zeros(784, dtype=np.float32)
    at.run()
    assert "from upload/drawing" in at.selectbox(key="interp_a").options
    at.selectbox(key="interp_a").set_value("from upload/drawing").run()
    assert not at.exception


def test_interpolation_fewer_steps_keep_the_frame_slider_in_range():
    at = open_page("interpolate", "mnist-z2")
    at.slider(key="interp_t").set_value(9).run()
    at.slider(key="interp_steps").set_value(4).run()
    assert not at.exception
    assert at.slider(key="interp_t").value == 3


def test_interpolation_offers_png_and_gif_downloads():
    at = open_page("interpolate", "mnist-z2")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Strip as PNG", "Path as animated GIF"]


# --- Manifold ---


def cells_trace(fig: dict) -> dict:
    return next(t for t in fig["data"] if t.get("name") == "cells")


@pytest.mark.parametrize("model", MODELS)
def test_manifold_at_n30_has_900_cells_in_the_picture_and_as_clickable_points(model):
    at = open_page("manifold", model)
    at.slider(key="manifold_n").set_value(30).run()
    fig = figure(at, "manifold_chart")
    assert len(plotly_values(cells_trace(fig)["x"])) == 900
    image = next(t for t in fig["data"] if t["type"] == "image")
    width, height = png_size(image["source"])
    scale = round(1 / image["dx"])  # the picture is sent enlarged by a whole factor
    assert (width / scale, height / scale) == (30 * 28, 30 * 28)


def test_manifold_sliders_change_the_figure():
    at = open_page("manifold", "mnist-z2")
    before = figure(at, "manifold_chart")
    at.slider(key=state_keys.MANIFOLD_EPS).set_value(0.15).run()
    after = figure(at, "manifold_chart")
    assert after["layout"]["xaxis"]["ticktext"] != before["layout"]["xaxis"]["ticktext"]
    image = [t["source"] for fig in (before, after) for t in fig["data"] if t["type"] == "image"]
    assert image[0] != image[1]


def test_manifold_axes_read_in_z():
    at = open_page("manifold", "mnist-z2")
    axis = grid_axis(20, eps=0.05)
    layout = figure(at, "manifold_chart")["layout"]
    assert layout["xaxis"]["ticktext"][0] == f"{axis[0]:.2f}" and layout["xaxis"]["ticktext"][-1] == f"{axis[-1]:.2f}"
    assert layout["yaxis"]["ticktext"][0] == f"{axis[-1]:.2f}"  # top row: the largest z1
    at.radio(key=state_keys.MANIFOLD_SPACING).set_value("linear").run()
    at.slider(key=state_keys.MANIFOLD_ZMAX).set_value(2.0).run()
    assert figure(at, "manifold_chart")["layout"]["xaxis"]["ticktext"][0] == "-2.00"


def test_manifold_default_dimensions_are_the_top_kl_dims_for_larger_latents():
    at = open_page("manifold", "mnist-z20")
    x, y = at.selectbox(key="manifold_dim_x").value, at.selectbox(key="manifold_dim_y").value
    assert x != y
    assert figure(at, "manifold_chart")["layout"]["xaxis"]["title"]["text"] == f"z{x}"


def test_clicking_a_manifold_cell_makes_its_code_the_current_digit():
    at = open_page("manifold", "mnist-z2")
    cell = 47  # row 2, column 7 of the default 20 x 20 grid
    code = manifold_grid(grid_axis(20, eps=0.05))[cell]
    customdata = cells_trace(figure(at, "manifold_chart"))["customdata"][cell]
    click_point(at, "manifold_chart", {"curve_number": 1, "point_index": cell, "customdata": customdata})
    digit = current_digit(at)
    assert digit.source.startswith("manifold cell")
    assert is_decoded(digit.x, "mnist-z2", code)


# --- Latent map ---


def click_targets(fig: dict) -> list[list[int]]:
    """[test index, label] of each invisible click target of the map."""
    return next(t for t in fig["data"] if t.get("name") == "test digits")["customdata"]


def dots_picture(fig: dict) -> Image.Image:
    (image,) = fig["layout"]["images"]
    return Image.open(io.BytesIO(base64.b64decode(image["source"].split(",", 1)[1])))


@pytest.mark.parametrize("model", MODELS)
def test_map_draws_the_test_digits_as_one_picture_with_click_targets_of_every_class(model):
    at = open_page("map", model)
    fig = figure(at, "map_chart")
    assert dots_picture(fig).size == (960, 960)
    labels = at.session_state[state_keys.LOADED_MODEL].latents["test_labels"]
    targets = click_targets(fig)
    assert 300 < len(targets) < 4096  # one per occupied cell of 64 x 64
    assert all(int(labels[i]) == label for i, label in targets)
    assert {label for _, label in targets} == set(range(10))
    assert [t["name"] for t in fig["data"] if t["name"] in [str(c) for c in range(10)]] == [str(c) for c in range(10)]


def test_map_shows_only_the_chosen_classes():
    at = open_page("map", "mnist-z2")
    everything = dots_picture(figure(at, "map_chart"))
    at.button_group(key="map_classes").set_value([3, 5]).run()
    fig = figure(at, "map_chart")
    assert {label for _, label in click_targets(fig)} == {3, 5}
    assert [t["name"] for t in fig["data"] if t["name"] in [str(c) for c in range(10)]] == ["3", "5"]
    assert dots_picture(fig).tobytes() != everything.tobytes()
    at.button_group(key="map_classes").set_value([]).run()
    assert not at.exception
    assert "No class chosen" in at.info[0].value
    assert click_targets(figure(at, "map_chart")) == []


def test_map_of_a_larger_latent_says_it_is_a_pca_projection():
    at = open_page("map", "mnist-z20")
    assert "PCA projection of the 20-dimensional means" in figure(at, "map_chart")["layout"]["title"]["text"]


def test_map_range_toggle_changes_the_figure():
    at = open_page("map", "mnist-z2")
    axis = grid_axis(2, eps=0.05)
    x_range = figure(at, "map_chart")["layout"]["xaxis"]["range"]
    assert x_range[0] < axis[0].item() < axis[-1].item() < x_range[1]
    at.toggle(key="map_manifold_range").set_value(False).run()
    layout = figure(at, "map_chart")["layout"]
    mu = at.session_state[state_keys.LOADED_MODEL].latents["test_mu"]
    for axis, values in (("xaxis", mu[:, 0]), ("yaxis", mu[:, 1])):
        low, high = layout[axis]["range"]
        assert low < values.min().item() < values.max().item() < high  # every point in view


@pytest.mark.parametrize("model", MODELS)
def test_clicking_a_map_point_makes_that_test_digit_the_current_digit(model):
    at = open_page("map", model)
    latents = at.session_state[state_keys.LOADED_MODEL].latents
    index = 1234
    label = int(latents["test_labels"][index])
    click_point(at, "map_chart", {"curve_number": label, "point_index": 0, "customdata": index})
    digit = current_digit(at)
    assert digit.source.startswith(f"test digit #{index} (label {label})")
    assert is_decoded(digit.x, model, latents["test_mu"][index])


def test_a_second_map_click_replaces_the_first():
    at = open_page("map", "mnist-z2")
    click_point(at, "map_chart", {"curve_number": 0, "point_index": 0, "customdata": 3})
    assert current_digit(at).source.startswith("test digit #3 ")
    click_point(at, "map_chart", {"curve_number": 0, "point_index": 0, "customdata": 10})
    assert current_digit(at).source.startswith("test digit #10 ")


def test_first_customdata_reads_plotly_selections():
    assert first_customdata(None) is None
    assert first_customdata({"selection": {"points": []}}) is None
    assert first_customdata({"selection": {"points": [{"x": 1}, {"customdata": 5}]}}) == 5
    assert first_customdata({"selection": {"points": [{"customdata": [7, 0.1, 0.2]}]}}) == [7, 0.1, 0.2]
