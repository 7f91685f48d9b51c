"""AppTest checks of the Latent map page: the test digits as one picture with click targets (a picture picker,
views/live/pick.js), the class filter, the range toggle, and a pick."""

from __future__ import annotations

import numpy as np
import pytest

from tests.apptest import (
    MODELS,
    current_digit,
    loaded_model,
    mount_data,
    open_latent_space_page,
    pick,
    pick_source_data,
    picture,
    pictures,
)
from vae_core.analysis import describe_digit
from vae_core.digits import load_test_digits
from vae_core.latent import grid_axis

PICKER = "map_picker"


def source(at) -> dict:
    """The picker's source: the picture and the click targets."""
    return pick_source_data(at, PICKER)


def view(at) -> dict:
    """The picker's view: axes, legend, marks, alt text."""
    return mount_data(at, PICKER)


def targets(at) -> list[tuple[int, int]]:
    """(test index, label) of each click target of the map."""
    t = source(at)["targets"]
    return list(zip(t["id"], t["label"], strict=True))


def legend(at) -> list[str]:
    return [text for text, _ in view(at)["legend"]["items"]]


@pytest.mark.parametrize("model", MODELS)
def test_map_draws_the_test_digits_as_one_picture_with_click_targets_of_every_class(model):
    at = open_latent_space_page("map", model)
    assert view(at)["source"] == source(at)["id"]  # the picker shows this picture
    assert picture(source(at)["src"]).size == (960, 960)
    labels = loaded_model(at).latents["test_labels"]
    shown = targets(at)
    assert 300 < len(shown) < 4096  # one per occupied cell of 64 x 64
    assert all(int(labels[i]) == label for i, label in shown)
    assert {label for _, label in shown} == set(range(10))
    t = source(at)["targets"]
    assert all(0 <= v <= 1 for v in t["x"] + t["y"])  # places on the picture, as fractions
    assert legend(at) == [str(c) for c in range(10)]
    alt = view(at)["alt"]
    assert alt.startswith("Latent map: the posterior means of the 10,000 test digits of every class")
    mu = describe_digit(loaded_model(at).model, current_digit(at).x, n_samples=0).mu
    if model == "mnist-z2":
        assert f"mean at ({mu[0]:.2f}, {mu[1]:.2f})" in alt


def test_map_shows_only_the_chosen_classes():
    at = open_latent_space_page("map", "mnist-z2")
    everything = picture(source(at)["src"])
    at.button_group(key="map_classes").set_value([3, 5]).run()
    assert {label for _, label in targets(at)} == {3, 5}
    assert legend(at) == ["3", "5"]
    assert "of the classes 3, 5," in view(at)["alt"]
    assert picture(source(at)["src"]).tobytes() != everything.tobytes()
    at.button_group(key="map_classes").set_value([]).run()
    assert not at.exception
    assert "No class chosen" in at.info[0].value
    assert targets(at) == []


def test_map_of_a_larger_latent_says_it_is_a_pca_projection():
    at = open_latent_space_page("map", "mnist-z20")
    assert "PCA of the 20-D means" in view(at)["title"]
    assert view(at)["x"]["title"] == "PC 1 of mu"


def test_map_range_toggle_changes_the_picture_and_axes():
    at = open_latent_space_page("map", "mnist-z2")
    axis = grid_axis(2, eps=0.05)
    x_range = view(at)["x"]["range"]
    assert x_range[0] < axis[0].item() < axis[-1].item() < x_range[1]
    before = source(at)["src"]
    at.toggle(key="map_manifold_range").set_value(False).run()
    assert source(at)["src"] != before
    mu = loaded_model(at).latents["test_mu"]
    for axis, values in (("x", mu[:, 0]), ("y", mu[:, 1])):
        low, high = view(at)[axis]["range"]
        assert low < values.min().item() < values.max().item() < high  # every point in view
        ticks = view(at)[axis]["ticks"]
        assert len(ticks) >= 3 and all(0 <= at_ <= 1 for at_, _ in ticks)


def test_map_marks_the_current_digits_mean_and_ellipse_where_it_lies():
    at = open_latent_space_page("map", "mnist-z2")
    at.toggle(key="map_manifold_range").set_value(False).run()
    marks, (x0, x1), (y0, y1) = view(at)["marks"], view(at)["x"]["range"], view(at)["y"]["range"]
    mu = describe_digit(loaded_model(at).model, current_digit(at).x, n_samples=0).mu
    assert marks["cross"][0] == pytest.approx((mu[0].item() - x0) / (x1 - x0), abs=1e-3)
    assert marks["cross"][1] == pytest.approx((y1 - mu[1].item()) / (y1 - y0), abs=1e-3)  # from the top
    ring = np.array(marks["ellipse"])
    assert ring.shape == (60, 2) and np.allclose(ring.mean(0), marks["cross"], atol=0.02)


@pytest.mark.parametrize("model", MODELS)
def test_picking_a_map_point_makes_that_test_digit_the_current_digit(model):
    at = open_latent_space_page("map", model)
    latents = loaded_model(at).latents
    index = 1234
    label = int(latents["test_labels"][index])
    pick(at, PICKER, index)
    digit = current_digit(at)
    assert digit.test_index == index and digit.label == label and digit.source == f"test digit #{index}, a {label}"
    np.testing.assert_array_equal(digit.x, load_test_digits().grey(index))  # the handwriting, not a decoded code
    elbo = describe_digit(loaded_model(at).model, digit.x, n_samples=0).elbo
    assert any(f"test digit #{index}, a {label}; ELBO {elbo:.2f} nats" in m.value for m in at.markdown)


def test_a_second_map_pick_replaces_the_first_and_a_bad_pick_changes_nothing():
    at = open_latent_space_page("map", "mnist-z2")
    pick(at, PICKER, 3)
    assert current_digit(at).test_index == 3
    pick(at, PICKER, 10)
    assert current_digit(at).test_index == 10
    for bad in (10_000, -1, "7", 2.5, True, None):  # what a browser might send
        pick(at, PICKER, bad)
        assert current_digit(at).test_index == 10


@pytest.mark.parametrize("model", MODELS)
def test_each_map_target_carries_the_marks_its_pick_will_show(model):
    """pick.js draws a picked digit's cross and 1-sigma ellipse at once from its target (x, y and covariance, in
    the picture's fractions); the server's marks after the pick are the same."""
    at = open_latent_space_page("map", model)
    t = source(at)["targets"]
    for i in (0, len(t["id"]) // 2):
        pick(at, PICKER, t["id"][i])
        marks = view(at)["marks"]
        assert marks["cross"] == pytest.approx([t["x"][i], t["y"][i]], abs=2e-4)
        a, b, c = t["cov"][i]
        offsets = np.array(marks["ellipse"]) - marks["cross"]
        mahalanobis = np.einsum("ni,ij,nj->n", offsets, np.linalg.inv([[a, b], [b, c]]), offsets)
        # On the 1-sigma contour, to 5%: test_logvar is stored in half precision and the marks to 4 places.
        assert mahalanobis == pytest.approx(1, rel=0.05)


def test_the_map_picture_goes_as_a_plain_picture_too_until_the_browser_is_known_to_run_the_picker():
    """For a browser that cannot run the picker (no script), the map is still there: its picture as a plain
    picture with the picker's text alternative (a chart, scaled smoothly). Once a pick has come back from the
    browser, it is left out."""
    at = open_latent_space_page("map", "mnist-z2")
    twins = [p for p in pictures(at.main) if p.alt.startswith("Latent map:")]
    assert [(p.src, p.alt, p.width) for p in twins] == [(source(at)["src"], view(at)["alt"], view(at)["width"])]
    pick(at, PICKER, source(at)["targets"]["id"][0])
    assert not [p for p in pictures(at.main) if p.alt.startswith("Latent map:")]
