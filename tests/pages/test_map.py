"""AppTest checks of the Latent map page: the test digits as one picture with click targets, the class filter,
the range toggle, and a click on a point."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.apptest import (
    MODELS,
    click_chart_point,
    current_digit,
    figure,
    loaded_model,
    open_latent_space_page,
    picture,
)
from vae_core.analysis import describe_digit
from vae_core.digits import load_test_digits
from vae_core.latent import grid_axis


def click_targets(fig: dict) -> list[list[int]]:
    """[test index, label] of each invisible click target of the map."""
    return next(t for t in fig["data"] if t.get("name") == "test digits")["customdata"]


def dots_picture(fig: dict) -> Image.Image:
    (image,) = fig["layout"]["images"]
    return picture(image["source"])


@pytest.mark.parametrize("model", MODELS)
def test_map_draws_the_test_digits_as_one_picture_with_click_targets_of_every_class(model):
    at = open_latent_space_page("map", model)
    fig = figure(at, "map_chart")
    assert dots_picture(fig).size == (960, 960)
    labels = loaded_model(at).latents["test_labels"]
    targets = click_targets(fig)
    assert 300 < len(targets) < 4096  # one per occupied cell of 64 x 64
    assert all(int(labels[i]) == label for i, label in targets)
    assert {label for _, label in targets} == set(range(10))
    assert [t["name"] for t in fig["data"] if t["name"] in [str(c) for c in range(10)]] == [str(c) for c in range(10)]


def test_map_shows_only_the_chosen_classes():
    at = open_latent_space_page("map", "mnist-z2")
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
    at = open_latent_space_page("map", "mnist-z20")
    assert "PCA of the 20-D means" in figure(at, "map_chart")["layout"]["title"]["text"]


def test_map_range_toggle_changes_the_figure():
    at = open_latent_space_page("map", "mnist-z2")
    axis = grid_axis(2, eps=0.05)
    x_range = figure(at, "map_chart")["layout"]["xaxis"]["range"]
    assert x_range[0] < axis[0].item() < axis[-1].item() < x_range[1]
    at.toggle(key="map_manifold_range").set_value(False).run()
    layout = figure(at, "map_chart")["layout"]
    mu = loaded_model(at).latents["test_mu"]
    for axis, values in (("xaxis", mu[:, 0]), ("yaxis", mu[:, 1])):
        low, high = layout[axis]["range"]
        assert low < values.min().item() < values.max().item() < high  # every point in view


@pytest.mark.parametrize("model", MODELS)
def test_clicking_a_map_point_makes_that_test_digit_the_current_digit(model):
    at = open_latent_space_page("map", model)
    latents = loaded_model(at).latents
    index = 1234
    label = int(latents["test_labels"][index])
    click_chart_point(at, "map_chart", {"curve_number": label, "point_index": 0, "customdata": index})
    digit = current_digit(at)
    assert digit.test_index == index and digit.label == label and digit.source == f"test digit #{index}, a {label}"
    np.testing.assert_array_equal(digit.x, load_test_digits().grey(index))  # the handwriting, not a decoded code
    elbo = describe_digit(loaded_model(at).model, digit.x, n_samples=0).elbo
    assert any(f"test digit #{index}, a {label}; ELBO {elbo:.2f} nats" in m.value for m in at.markdown)


def test_a_second_map_click_replaces_the_first():
    at = open_latent_space_page("map", "mnist-z2")
    click_chart_point(at, "map_chart", {"curve_number": 0, "point_index": 0, "customdata": 3})
    assert current_digit(at).test_index == 3
    click_chart_point(at, "map_chart", {"curve_number": 0, "point_index": 0, "customdata": 10})
    assert current_digit(at).test_index == 10
