"""views.controls: the table of every control a link or a lesson sets agrees with the widgets the pages draw, and
checks values with a reason."""

from __future__ import annotations

import pytest

from tests.apptest import open_page
from views import navigation
from views.controls import PAGE_CONTROLS, SIDEBAR_CONTROLS, Control, find_control

Z20 = "mnist-z20"


def test_every_page_has_an_entry() -> None:
    assert set(PAGE_CONTROLS) == {spec.url_path for spec in navigation.PAGES}


@pytest.mark.parametrize("url_path", [p for p, controls in PAGE_CONTROLS.items() if controls])
def test_the_pages_widgets_take_the_ranges_and_options_of_their_controls(url_path: str) -> None:
    at = open_page(url_path, Z20, timeout=120)
    checked = set()
    for widget in [*at.slider, *at.number_input, *at.selectbox, *at.radio]:
        control = find_control(url_path, widget.key or "", Z20)
        if control is None or control in SIDEBAR_CONTROLS:
            continue
        checked.add(control.key)
        if control.kind in ("int", "float", "range") and control.key != "interp_t":  # the frame's max is steps - 1
            assert (widget.min, widget.max) == (control.low, control.high), widget.key
            value = tuple(widget.value) if control.kind == "range" else widget.value
            assert control.default is None or value == control.default, widget.key
        if control.kind == "choice":
            assert tuple(widget.options) == tuple(map(str, control.options)), widget.key
    shown = {c.key for c in PAGE_CONTROLS[url_path] if c.kind not in ("dim", "classes", "bool")}
    assert shown - {"manifold_zmax", "replay_epoch"} <= checked  # the z-range shows with linear spacing only


@pytest.mark.parametrize(
    ("control", "raw", "value"),
    [(Control("n", "int", 1, 8), 3, 3), (Control("n", "int", 1, 8), "8", 8),
     (Control("s", "float", 0.0, 3.0, 0.1), 2.5, 2.5), (Control("c", "choice", options=(16, 36)), 36, 36),
     (Control("b", "bool"), "false", False), (Control("k", "classes"), [3, 1, 3], [1, 3]),
     (Control("d", "dim"), "z7", 7), (Control("r", "range", -6.0, 6.0, 0.5), [-2, 4.5], (-2.0, 4.5))],
)
def test_a_control_turns_a_good_value_into_the_widgets(control: Control, raw, value) -> None:
    assert control.value(raw, latent_dim=20) == value


@pytest.mark.parametrize(
    ("control", "raw", "reason"),
    [(Control("n", "int", 1, 8), 9, "from 1 to 8"), (Control("n", "int", 1, 8), 2.5, "whole number"),
     (Control("s", "float", 0.0, 3.0, 0.1), 0.25, "multiple of 0.1"), (Control("n", "int", 1, 8), "six", "number"),
     (Control("c", "choice", options=(16, 36)), 20, "one of 16, 36"), (Control("b", "bool"), "maybe", "true or"),
     (Control("k", "classes"), [10], "classes 0-9"), (Control("d", "dim"), "z20", "z0 ... z19"),
     (Control("r", "range", -6.0, 6.0, 0.5), [3, 1], "lower to a higher")],
)
def test_a_control_refuses_a_bad_value_with_a_reason(control: Control, raw, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        control.value(raw, latent_dim=20)


def test_find_control_fills_in_per_dimension_and_per_model_keys() -> None:
    assert find_control("mean", "mean_shift_z12", Z20).key == "mean_shift_z{d}"
    assert find_control("pad", f"pad_x_{Z20}", Z20).key == "pad_x_{model}"
    assert find_control("pad", "pad_x_mnist-z2", Z20) is None
    assert find_control("reconstruct", "seed", Z20).key == "seed"
    assert find_control("reconstruct", "interp_steps", Z20) is None
