"""AppTest checks of the Latent map page: the test digits' points, from which the browser draws the map and its
click targets (a picture picker, views/live/pick.js and scatter.js), the server's picture of it for a browser without
the script, the class filter and the range switch (live), and a pick."""

from __future__ import annotations

import numpy as np
import pytest

from tests.apptest import (
    MODELS,
    current_digit,
    live_mounts,
    loaded_model,
    mount_data,
    open_latent_space_page,
    pick,
    picture,
    pictures,
    points_data,
    send_trigger,
)
from vae_core.analysis import describe_digit
from vae_core.digits import load_test_digits
from vae_core.latent import grid_axis
from views.pages.map import plane_points

PICKER = "map_picker"


def points(at) -> dict:
    """The picker's source, the points the browser draws the map from (views.live.points_message): its header
    (id, count, ...) with xy (N, 2), cov (N, 3: xx, xy, yy in plane units) and labels (N,) as arrays."""
    return points_data(at, f"{PICKER}_source_{view(at)['source'][:16]}")


def view(at) -> dict:
    """The picker's view: axes, legend, marks, alt text, the scatter to draw."""
    return mount_data(at, PICKER)


def legend(at) -> list[str]:
    return [text for text, _ in view(at)["legend"]["items"]]


def shown_picture(at):
    """The map's picture as the server draws it for a browser without the script (the twin of the drawn map)."""
    twins = [p for p in pictures(at.main) if p.alt.startswith("Latent map:")]
    assert len(twins) == 1
    return twins[0]


@pytest.mark.parametrize("model", MODELS)
def test_map_sends_every_test_digits_point_label_and_spread_for_the_browser_to_draw(model):
    at = open_latent_space_page("map", model)
    lm = loaded_model(at)
    sent = points(at)
    assert sent["id"] == view(at)["source"] and sent["count"] == 10_000 and sent["glyph"] == 22
    np.testing.assert_array_equal(sent["xy"], plane_points(lm)[:, :2].numpy())
    np.testing.assert_array_equal(sent["labels"], lm.latents["test_labels"].numpy())
    assert (sent["cov"][:, 0] > 0).all() and (sent["cov"][:, 2] > 0).all()  # variances along the plane's axes
    scatter = view(at)["scatter"]
    assert scatter["classes"] == list(range(10)) and scatter["px"] == 960 and scatter["key"] == "map_classes"
    assert legend(at) == [str(c) for c in range(10)]
    alt = view(at)["alt"]
    assert alt.startswith("Latent map: the posterior means of the 10,000 test digits of every class")
    assert scatter["alt"].format(count="10,000", which="every class") == alt  # the browser fills in the template
    assert picture(shown_picture(at).src).size == (960, 960)
    mu = describe_digit(lm.model, current_digit(at).x, n_samples=0).mu
    if model == "mnist-z2":
        assert f"mean at ({mu[0]:.2f}, {mu[1]:.2f})" in alt


def test_map_shows_only_the_chosen_classes_and_sends_no_new_points():
    at = open_latent_space_page("map", "mnist-z2")
    everything, sent = picture(shown_picture(at).src), points(at)["id"]
    at.button_group(key="map_classes").set_value([3, 5]).run()
    assert view(at)["scatter"]["classes"] == [3, 5] and points(at)["id"] == sent
    assert legend(at) == ["3", "5"]
    count = int(np.isin(loaded_model(at).latents["test_labels"].numpy(), [3, 5]).sum())
    assert f"the posterior means of the {count:,} test digits of the classes 3, 5," in view(at)["alt"]
    assert picture(shown_picture(at).src).tobytes() != everything.tobytes()
    at.button_group(key="map_classes").set_value([]).run()
    assert not at.exception
    assert "No class chosen" in at.info[0].value
    assert "the 0 test digits of no class" in view(at)["alt"]


def test_the_live_class_pills_release_the_classes_to_python_and_drop_what_is_not_one():
    """The live pills (views.live.live_choices, style "pills") send the classes on as a list; Python keeps them
    in order, and drops a release that is not a list of classes (what only a browser could send)."""
    at = open_latent_space_page("map", "mnist-z2")
    pills = mount_data(at, "live_map_classes")
    assert (pills["style"], pills["group"], pills["options"]) == ("pills", "map", list(range(10)))
    send_trigger(at, "live_map_classes", "release", {"map_classes": [5, 3]})
    assert at.button_group(key="map_classes").value == [3, 5] and view(at)["scatter"]["classes"] == [3, 5]
    for bad in ([3, 11], [3, True], ["3"], 3, None, [[3]]):
        send_trigger(at, "live_map_classes", "release", {"map_classes": bad})
        assert at.button_group(key="map_classes").value == [3, 5], bad
    send_trigger(at, "live_map_classes", "release", {"map_classes": []})
    assert at.button_group(key="map_classes").value == []


def test_map_of_a_larger_latent_says_it_is_a_pca_projection():
    at = open_latent_space_page("map", "mnist-z20")
    assert "PCA of the 20-D means" in view(at)["title"]
    assert view(at)["x"]["title"] == "PC 1 of mu"


def test_map_range_toggle_changes_the_picture_and_axes():
    at = open_latent_space_page("map", "mnist-z2")
    axis = grid_axis(2, eps=0.05)
    x_range = view(at)["x"]["range"]
    assert x_range[0] < axis[0].item() < axis[-1].item() < x_range[1]
    before = shown_picture(at).src
    at.toggle(key="map_manifold_range").set_value(False).run()
    assert shown_picture(at).src != before
    mu = loaded_model(at).latents["test_mu"]
    for axis, values in (("x", mu[:, 0]), ("y", mu[:, 1])):
        low, high = view(at)[axis]["range"]
        assert low < values.min().item() < values.max().item() < high  # every point in view
        ticks = view(at)[axis]["ticks"]
        assert len(ticks) >= 3 and all(0 <= at_ <= 1 for at_, _ in ticks)


def test_the_map_holds_the_other_ranges_view_and_the_live_switch_releases_it():
    """The range switch is live (style "switch"): the picker holds the other range's axes, marks and box, which
    the browser shows at once; they are what the page sends after the release. A release that is not a bool is
    dropped."""
    at = open_latent_space_page("map", "mnist-z2")
    switch = mount_data(at, "live_map_range")
    assert (switch["style"], switch["value"], switch["options"]) == ("switch", True, [False, True])
    (variant,) = view(at)["variants"]
    assert (variant["group"], variant["key"], variant["value"]) == ("map", "map_manifold_range", "true")
    held = variant["views"]["false"]
    for bad in (0, "false", None):
        send_trigger(at, "live_map_range", "release", {"map_manifold_range": bad})
        assert at.toggle(key="map_manifold_range").value is True, bad
    send_trigger(at, "live_map_range", "release", {"map_manifold_range": False})
    assert at.toggle(key="map_manifold_range").value is False
    now = view(at)
    for part in ("x", "y", "marks", "plane", "alt", "scatter", "source"):
        assert held[part] == now[part], part
    assert now["variants"][0]["value"] == "false" and "true" in now["variants"][0]["views"]


def test_a_larger_latents_map_has_no_range_switch():
    at = open_latent_space_page("map", "mnist-z20")
    assert "live_map_range" not in live_mounts(at) and "variants" not in view(at)


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
def test_each_map_point_carries_the_marks_its_pick_will_show(model):
    """pick.js draws a picked digit's cross and 1-sigma ellipse at once from its target, made from the points sent
    (its place and covariance, in the picture's fractions: scatter.js scatterTargets); the server's marks after the
    pick are the same."""
    at = open_latent_space_page("map", model)
    sent, (x0, x1, y0, y1) = points(at), view(at)["plane"]["box"]
    sx, sy = 1 / (x1 - x0), 1 / (y1 - y0)
    # The marks go to 4 places, too coarse for the smallest ellipses: the 90th percentile's and the widest.
    by_spread = np.argsort(sent["cov"][:, 0] + sent["cov"][:, 2])
    for i in (int(by_spread[9_000]), int(by_spread[-1])):
        pick(at, PICKER, i)
        marks = view(at)["marks"]
        (x, y), (a, b, c) = sent["xy"][i].astype(float), sent["cov"][i].astype(float)
        assert marks["cross"] == pytest.approx([(x - x0) * sx, (y1 - y) * sy], abs=2e-4)
        fractions = np.array([[a * sx * sx, -b * sx * sy], [-b * sx * sy, c * sy * sy]])
        offsets = np.array(marks["ellipse"]) - marks["cross"]
        mahalanobis = np.einsum("ni,ij,nj->n", offsets, np.linalg.inv(fractions), offsets)
        # On the 1-sigma contour, to 5%: test_logvar is stored in half precision and the marks to 4 places.
        assert mahalanobis == pytest.approx(1, rel=0.05)


def test_the_map_picture_goes_as_a_plain_picture_too_until_the_browser_is_known_to_run_the_picker():
    """For a browser that cannot run the picker (no script), the map is still there: the server's picture of it
    (class_scatter) with the picker's text alternative (a chart, scaled smoothly). Once a pick has come back from
    the browser, it is left out."""
    at = open_latent_space_page("map", "mnist-z2")
    twin = shown_picture(at)
    assert (twin.alt, twin.width) == (view(at)["alt"], view(at)["width"])
    pick(at, PICKER, 0)
    assert not [p for p in pictures(at.main) if p.alt.startswith("Latent map:")]
