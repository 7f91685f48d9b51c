"""AppTest checks of the Manifold page: the decoded grid, its axes in z, and a click on a cell."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from tests.apptest import (
    MODELS,
    click_chart_point,
    current_digit,
    figure,
    is_decoded,
    open_latent_space_page,
    picture,
)
from vae_core.latent import grid_axis, manifold_grid
from views import state_keys


def plotly_values(field) -> np.ndarray:
    """A trace field from the figure JSON: a list, or plotly's typed-array encoding of a numpy array."""
    if isinstance(field, dict) and "bdata" in field:
        return np.frombuffer(base64.b64decode(field["bdata"]), dtype=np.dtype(field["dtype"]))
    return np.asarray(field)


def cells_trace(fig: dict) -> dict:
    return next(t for t in fig["data"] if t.get("name") == "cells")


@pytest.mark.parametrize("model", MODELS)
def test_manifold_at_n30_has_900_cells_in_the_picture_and_as_clickable_points(model):
    at = open_latent_space_page("manifold", model)
    at.slider(key="manifold_n").set_value(30).run()
    fig = figure(at, "manifold_chart")
    assert len(plotly_values(cells_trace(fig)["x"])) == 900
    image = next(t for t in fig["data"] if t["type"] == "image")
    width, height = picture(image["source"]).size
    scale = round(1 / image["dx"])  # the picture is sent enlarged by a whole factor
    assert (width / scale, height / scale) == (30 * 28, 30 * 28)


def test_manifold_sliders_change_the_figure():
    at = open_latent_space_page("manifold", "mnist-z2")
    before = figure(at, "manifold_chart")
    at.slider(key=state_keys.MANIFOLD_EPS).set_value(0.15).run()
    after = figure(at, "manifold_chart")
    assert after["layout"]["xaxis"]["ticktext"] != before["layout"]["xaxis"]["ticktext"]
    image = [t["source"] for fig in (before, after) for t in fig["data"] if t["type"] == "image"]
    assert image[0] != image[1]


def test_manifold_axes_read_in_z():
    at = open_latent_space_page("manifold", "mnist-z2")
    axis = grid_axis(20, eps=0.05)
    layout = figure(at, "manifold_chart")["layout"]
    assert layout["xaxis"]["ticktext"][0] == f"{axis[0]:.2f}" and layout["xaxis"]["ticktext"][-1] == f"{axis[-1]:.2f}"
    assert layout["yaxis"]["ticktext"][0] == f"{axis[-1]:.2f}"  # top row: the largest z1
    at.radio(key=state_keys.MANIFOLD_SPACING).set_value("linear").run()
    at.slider(key=state_keys.MANIFOLD_ZMAX).set_value(2.0).run()
    assert figure(at, "manifold_chart")["layout"]["xaxis"]["ticktext"][0] == "-2.00"


def test_manifold_default_dimensions_are_the_top_kl_dims_for_larger_latents():
    at = open_latent_space_page("manifold", "mnist-z20")
    x, y = at.selectbox(key="manifold_dim_x").value, at.selectbox(key="manifold_dim_y").value
    assert x != y
    assert figure(at, "manifold_chart")["layout"]["xaxis"]["title"]["text"] == f"z{x}"


def test_clicking_a_manifold_cell_makes_its_code_the_current_digit():
    at = open_latent_space_page("manifold", "mnist-z2")
    cell = 47  # row 2, column 7 of the default 20 x 20 grid
    code = manifold_grid(grid_axis(20, eps=0.05))[cell]
    customdata = cells_trace(figure(at, "manifold_chart"))["customdata"][cell]
    click_chart_point(at, "manifold_chart", {"curve_number": 1, "point_index": cell, "customdata": customdata})
    digit = current_digit(at)
    assert digit.source.startswith("manifold cell")
    assert is_decoded(digit.x, "mnist-z2", code)
