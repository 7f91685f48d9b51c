"""AppTest checks of the Manifold page: the decoded grid (a picture picker, views/live/pick.js), its axes in z,
and a pick of a cell."""

from __future__ import annotations

import pytest

from tests.apptest import (
    MODELS,
    current_digit,
    current_report,
    is_decoded,
    live_mounts,
    mount_data,
    open_latent_space_page,
    pick,
    pick_source_data,
    picture,
    pictures,
    send_trigger,
)
from vae_core.latent import grid_axis, manifold_grid
from views import state_keys
from views.pages.manifold import DIM_KEYS

PICKER = "manifold_picker"


def source(at) -> dict:
    return pick_source_data(at, PICKER)


def view(at) -> dict:
    return mount_data(at, PICKER)


@pytest.mark.parametrize("model", MODELS)
def test_manifold_at_n30_has_900_cells_in_the_picture_and_to_pick(model):
    at = open_latent_space_page("manifold", model)
    at.slider(key="manifold_n").set_value(30).run()
    assert picture(source(at)["src"]).size == (30 * 28, 30 * 28)
    grid = view(at)["grid"]
    assert grid["n"] == 30 and len(grid["x"]) == len(grid["y"]) == 30
    assert view(at)["alt"].startswith("Manifold: 30 x 30 digits decoded from a grid of codes")


def test_manifold_sliders_change_the_picture_and_axes():
    at = open_latent_space_page("manifold", "mnist-z2")
    before, before_src = view(at), source(at)["src"]
    at.slider(key=state_keys.MANIFOLD_EPS).set_value(0.15).run()
    assert view(at)["x"]["ticks"] != before["x"]["ticks"]
    assert source(at)["src"] != before_src
    assert view(at)["source"] == source(at)["id"] != before["source"]


def test_manifold_axes_read_in_z():
    at = open_latent_space_page("manifold", "mnist-z2")
    axis = grid_axis(20, eps=0.05)
    x, y, grid = view(at)["x"], view(at)["y"], view(at)["grid"]
    assert x["ticks"][0][1] == f"{axis[0]:.2f}" and x["ticks"][-1][1] == f"{axis[-1]:.2f}"
    assert y["ticks"][0][1] == f"{axis[-1]:.2f}"  # top row: the largest z1
    assert x["ticks"][0][0] == pytest.approx(0.5 / 20) and x["ticks"][-1][0] == pytest.approx(1 - 0.5 / 20)
    assert grid["x"][0] == f"{axis[0]:.2f}" and grid["y"][0] == f"{axis[-1]:.2f}"
    assert (x["title"], y["title"]) == ("z0", "z1")
    at.radio(key=state_keys.MANIFOLD_SPACING).set_value("linear").run()
    at.slider(key=state_keys.MANIFOLD_ZMAX).set_value(2.0).run()
    assert view(at)["x"]["ticks"][0][1] == "-2.00"


def test_manifold_default_dimensions_are_the_top_kl_dims_for_larger_latents():
    at = open_latent_space_page("manifold", "mnist-z20")
    x, y = at.selectbox(key="manifold_dim_x").value, at.selectbox(key="manifold_dim_y").value
    assert x != y
    assert view(at)["x"]["title"] == f"z{x}" and view(at)["y"]["title"] == f"z{y}"


def test_manifold_marks_the_current_digits_mu_with_a_ring_only_inside_the_grid():
    at = open_latent_space_page("manifold", "mnist-z2")
    mu = current_report(at).mu
    ring = view(at)["marks"].get("ring")
    inside = all(abs(m) < grid_axis(20, eps=0.05)[-1].item() for m in mu.tolist())
    assert (ring is not None) == inside
    if ring:
        assert all(0 < v < 1 for v in ring) and "a red ring marks the current digit's mu" in view(at)["alt"]
    at.radio(key=state_keys.MANIFOLD_SPACING).set_value("linear").run()
    at.slider(key=state_keys.MANIFOLD_ZMAX).set_value(0.5).run()  # a grid too small to hold mu
    if max(abs(m) for m in mu.tolist()) > 0.5:
        assert view(at)["marks"] == {}
        assert any("lies outside this grid" in c.value for c in at.caption)


def test_picking_a_manifold_cell_makes_its_code_the_current_digit():
    at = open_latent_space_page("manifold", "mnist-z2")
    cell = 47  # row 2, column 7 of the default 20 x 20 grid
    code = manifold_grid(grid_axis(20, eps=0.05))[cell]
    pick(at, PICKER, cell)
    digit = current_digit(at)
    assert digit.source == f"manifold cell z0 = {code[0]:.2f}, z1 = {code[1]:.2f}"
    assert is_decoded(digit.x, "mnist-z2", code)
    before = digit.source
    pick(at, PICKER, 400)  # past the last cell: ignored
    assert current_digit(at).source == before


def test_the_picker_holds_the_neighbouring_grid_sizes_as_the_page_would_draw_them():
    """The live grid size slider's neighbours (n - 1, n + 1) come with the picker, each with its source, and each
    is what the page shows once n is that size; at the ends of the range only the one inside it."""
    at = open_latent_space_page("manifold", "mnist-z2")
    variants = view(at)["variants"][0]
    assert (variants["group"], variants["key"], variants["value"], sorted(variants["views"])) == (
        "manifold", "manifold_n", "20", ["19", "20", "21"])
    at.slider(key="manifold_n").set_value(21).run()
    shown = view(at)
    assert {k: v for k, v in shown.items() if k not in ("kind", "variants")} == variants["views"]["21"]
    assert source(at) == pick_source_data(at, PICKER, variants["views"]["21"]["source"])
    at.slider(key="manifold_n").set_value(30).run()
    assert sorted(view(at)["variants"][0]["views"]) == ["29", "30"]


@pytest.mark.parametrize(("spacing", "key", "steps"), [("gaussian (equal prior mass per cell)", "manifold_eps",
                                                        ["0.04", "0.05", "0.06"]),
                                                       ("linear", "manifold_zmax", ["2.75", "3", "3.25"])])
def test_the_picker_holds_the_grids_of_the_neighbouring_eps_or_z_range_as_the_page_would_draw_them(
        spacing: str, key: str, steps: list[str]):
    """The spacing's live slider (eps for gaussian spacing, the z-range for linear) has its neighbouring values'
    grids in the picker too, keyed as the browser writes the slider's value; each is what the page shows once the
    slider is there, and a release of the live slider sets it."""
    at = open_latent_space_page("manifold", "mnist-z2")
    at.radio(key="manifold_spacing").set_value(spacing).run()
    [variants] = [v for v in view(at)["variants"] if v["key"] == key]
    assert (variants["group"], variants["value"], sorted(variants["views"], key=float)) == ("manifold", steps[1],
                                                                                         steps)
    send_trigger(at, f"live_{key}", "release", {key: float(steps[2])})
    assert at.slider(key=key).value == pytest.approx(float(steps[2]))
    shown = view(at)
    assert {k: v for k, v in shown.items() if k not in ("kind", "variants")} == variants["views"][steps[2]]
    assert source(at) == pick_source_data(at, PICKER, variants["views"][steps[2]]["source"])


def test_the_picker_holds_the_other_spacings_grid_as_the_page_would_draw_it():
    """The spacing is a live choice: the picker holds the grid of the other spacing (at that spacing's own eps or
    z-range), keyed by its label, and a release of the choice sets the spacing and shows exactly that grid; a
    label that is not a spacing is dropped."""
    at = open_latent_space_page("manifold", "mnist-z2")
    gaussian, linear = "gaussian (equal prior mass per cell)", "linear"
    at.session_state[state_keys.MANIFOLD_ZMAX] = 2.5  # as left there the last time linear spacing was chosen
    at.run()
    [variants] = [v for v in view(at)["variants"] if v["key"] == state_keys.MANIFOLD_SPACING]
    assert (variants["group"], variants["value"], sorted(variants["views"])) == ("manifold", gaussian,
                                                                                 sorted([gaussian, linear]))
    assert mount_data(at, "live_manifold_spacing")["options"] == [gaussian, linear]
    send_trigger(at, "live_manifold_spacing", "release", {state_keys.MANIFOLD_SPACING: "spiral"})
    assert at.radio(key=state_keys.MANIFOLD_SPACING).value == gaussian
    send_trigger(at, "live_manifold_spacing", "release", {state_keys.MANIFOLD_SPACING: linear})
    assert at.radio(key=state_keys.MANIFOLD_SPACING).value == linear
    shown = view(at)
    assert {k: v for k, v in shown.items() if k not in ("kind", "variants")} == variants["views"][linear]
    assert source(at) == pick_source_data(at, PICKER, variants["views"][linear]["source"])
    assert shown["x"]["ticks"][0][1] == "-2.50"  # linear's own z-range, not gaussian's quantiles


def test_the_grid_goes_as_a_plain_picture_too_until_the_browser_is_known_to_run_the_live_elements():
    """For a browser that cannot run the picker (no script), the grid is still there: the picture as a plain
    picture with the picker's text alternative, its model pixels kept square. Once a release of the live grid size
    slider has come back from the browser, it is left out."""
    at = open_latent_space_page("manifold", "mnist-z2")
    twins = [p for p in pictures(at.main) if p.alt.startswith("Manifold:")]
    assert [(p.src, p.alt, p.width) for p in twins] == [(source(at)["src"], view(at)["alt"], view(at)["width"])]
    send_trigger(at, "live_manifold_n", "release", {"manifold_n": 21})
    assert at.slider(key="manifold_n").value == 21
    assert not [p for p in pictures(at.main) if p.alt.startswith("Manifold:")]


def test_a_larger_latents_dimension_selects_are_live_and_the_picker_can_decode_another_pair():
    """On a model with more than two dimensions the dimension selects are live selects (views/live), and the
    picker carries what the browser needs to decode another pair's grid (pick.js decodedView): the model, the
    selects' keys, and the text alternative's template, which for this run's pair is the page's own."""
    at = open_latent_space_page("manifold", "mnist-z20")
    x_select, y_select = (mount_data(at, f"live_{key}") for key in DIM_KEYS)
    assert (x_select["style"], x_select["group"], x_select["options"]) == ("select", "manifold", list(range(20)))
    assert x_select["labels"][:3] == ["z0", "z1", "z2"] and x_select["model"] == view(at)["decode"]["model"]
    assert y_select["help"].startswith("By default the two dimensions with the largest KL") and not x_select["help"]
    decode, (d0, d1) = view(at)["decode"], view(at)["follow"]["dims"]
    assert (decode["group"], decode["keys"]) == ("manifold", list(DIM_KEYS))
    follow = view(at)["follow"]
    end = follow["ring"] if view(at)["marks"] else "."
    assert follow["alt"].format(x=f"z{d0}", y=f"z{d1}", end=end) == view(at)["alt"]
    assert (x_select["value"], y_select["value"]) == (d0, d1)


def test_a_released_dimension_reaches_python_and_what_is_not_one_is_dropped():
    at = open_latent_space_page("manifold", "mnist-z20")
    d1 = view(at)["follow"]["dims"][1]
    new = next(d for d in range(20) if d not in view(at)["follow"]["dims"])
    for bad in ("z5", 20, -1, True, None, 5.5):
        send_trigger(at, "live_manifold_dim_x", "release", {"manifold_dim_x": bad})
        assert view(at)["follow"]["dims"][0] != bad
    send_trigger(at, "live_manifold_dim_x", "release", {"manifold_dim_x": new})
    assert view(at)["follow"]["dims"] == [new, d1] and view(at)["x"]["title"] == f"z{new}"


def test_the_2d_models_grid_has_no_dimension_selects_to_decode_for():
    at = open_latent_space_page("manifold", "mnist-z2")
    assert "decode" not in view(at) and not [k for k in live_mounts(at) if k.startswith("live_manifold_dim")]
