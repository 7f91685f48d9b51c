"""AppTest checks of the Training replay page: it renders at every snapshot epoch of the shipped mnist-z2, and
falls back to it from a model without snapshots; its latent map draws each test digit as its label's digit; the
live pictures hold every epoch's pictures, as the server draws them; a release of the live epoch slider; the
ELBO curve's marker on its log axis."""

from __future__ import annotations

import html
import io
import math

import numpy as np
import pytest
from PIL import Image

from tests.apptest import PICTURE, frames_data, image_picture, image_url, mount_data, open_page, pictures, send_trigger
from vae_core.checkpoint import read_metrics
from vae_core.registry import PRETRAINED_DIR, load
from vae_core.render import CLASS_RGB, class_scatter
from vae_core.snapshots import load_snapshot, snapshot_epochs
from views import state_keys
from views.pages.replay import MAP_GLYPH_RADIUS, MAP_PX, Z_RANGE, elbo_chart, elbo_figure, map_png
from views.pictures import CLASS_KEY_HTML

Z2 = "mnist-z2"
EPOCHS = snapshot_epochs(PRETRAINED_DIR / Z2)
needs_snapshots = pytest.mark.skipif(not EPOCHS, reason="pretrained/mnist-z2 has no snapshots")


@needs_snapshots
def test_replay_renders_at_every_snapshot_epoch_and_the_manifold_changes() -> None:
    at = open_page("replay", Z2)
    slider = at.select_slider(key="replay_epoch")
    assert list(slider.options) == [str(e) for e in EPOCHS]
    manifold_urls, map_urls = {}, {}
    for epoch in EPOCHS:
        at.select_slider(key="replay_epoch").set_value(epoch).run()
        assert not at.exception, f"epoch {epoch}: {at.exception}"
        manifold_urls[epoch] = image_url(at, f"manifold at epoch {epoch}:")
        latent_map = image_picture(at, f"test digits' mu at epoch {epoch}:")
        assert latent_map.alt.startswith(f"latent map of {Z2} at training epoch {epoch}: the posterior means of the "
                                         "10,000 test digits, each drawn as its label's digit")
        map_urls[epoch] = latent_map.src
        assert len(at.get("plotly_chart")) == 1  # the ELBO curve
    assert manifold_urls[0] != manifold_urls[100]
    assert len(set(map_urls.values())) == len(EPOCHS)
    assert any(CLASS_KEY_HTML in h.proto.body for h in at.main.get("html"))  # the legend names the glyphs


@needs_snapshots
def test_replay_map_draws_each_test_digit_as_its_labels_digit_in_its_colour() -> None:
    lm = load(PRETRAINED_DIR / Z2)
    snap = load_snapshot(PRETRAINED_DIR / Z2, max(EPOCHS), lm.model.config)
    labels = lm.latents["test_labels"]
    shown = np.asarray(Image.open(io.BytesIO(map_png(snap.test_mu, labels))).convert("RGB"))
    assert shown.shape == (MAP_PX, MAP_PX, 3)
    expected = class_scatter(snap.test_mu.numpy(), labels.numpy(), Z_RANGE, Z_RANGE, MAP_PX, MAP_GLYPH_RADIUS,
                             grid_step=1.0)
    assert float(np.abs(shown.astype(int) - expected).mean()) < 5  # the 64-colour palette changes little
    inked = {tuple(c) for c in shown.reshape(-1, 3).tolist()}
    for colour in CLASS_RGB.tolist():  # each class's colour is on the picture (blended shades aside)
        assert min(sum(abs(a - b) for a, b in zip(colour, c)) for c in inked) < 40


@needs_snapshots
def test_replay_falls_back_to_a_model_with_snapshots() -> None:
    at = open_page("replay")  # the default model, mnist-z20, has no snapshots
    assert at.session_state[state_keys.MODEL] == "mnist-z20"
    assert any("replaying **mnist-z2** instead" in i.value for i in at.info)
    assert at.select_slider(key="replay_epoch").value == max(EPOCHS)


def test_elbo_curve_marks_epoch_0_left_of_epoch_1() -> None:
    rows = [{"epoch": 1, "train_elbo": -170.0, "test_elbo": -160.0}, {"epoch": 2, "train_elbo": -150.0,
                                                                          "test_elbo": -151.0}]
    fig = elbo_figure(rows, 0)
    assert fig.layout.xaxis.type == "log"
    [line] = [s for s in fig.layout.shapes if s.type == "line"]
    assert 0 < line.x0 < 1 and math.isclose(line.x0, line.x1)
    assert 0 < 10 ** fig.layout.annotations[0].x < 1  # an annotation's x on a log axis is in log10 units
    assert fig.layout.xaxis.ticktext[:3] == ("0", "1", "2") and fig.layout.xaxis.tickvals[0] == line.x0
    assert fig.layout.annotations[0].xanchor == "left"
    fig = elbo_figure(rows, 2)
    assert fig.layout.shapes[0].x0 == 2 and math.isclose(10 ** fig.layout.annotations[0].x, 2)
    assert fig.layout.annotations[0].xanchor == "right"  # at the right edge: the label ends at the line


@needs_snapshots
def test_the_live_elbo_chart_marks_each_snapshot_epoch_with_its_logged_figures() -> None:
    """The live chart's marker has a place, a label and a text alternative for each snapshot epoch (epoch 0 at
    its tick "0", left of epoch 1), and the alternative gives that epoch's test and train ELBO from the log; the
    series are the log's, and the y axis holds every value."""
    at = open_page("replay", Z2)
    chart = mount_data(at, "live_replay_elbo")
    rows = read_metrics(PRETRAINED_DIR / Z2)
    test = {r["epoch"]: r["test_elbo"] for r in rows}
    assert sorted(map(int, chart["marks"])) == EPOCHS and chart["value"] == EPOCHS[-1]
    assert chart["marks"]["0"]["x"] == chart["x"]["ticks"][0][0] < 1 and chart["x"]["ticks"][0][1] == "0"
    assert chart["marks"]["0"]["label"] == "epoch 0 (untrained)" and "untrained" in chart["marks"]["0"]["alt"]
    for epoch in EPOCHS[1:]:
        mark = chart["marks"][str(epoch)]
        assert mark["x"] == epoch and mark["label"] == f"epoch {epoch}"
        assert f"Marked: epoch {epoch}, test ELBO {test[epoch]:.1f}, train " in mark["alt"]
    [train, test_series] = chart["series"]
    assert test_series["x"] == [r["epoch"] for r in rows] and test_series["y"][-1] == round(rows[-1]["test_elbo"], 3)
    values = train["y"] + test_series["y"]
    assert chart["y"]["lo"] < min(values) and max(values) < chart["y"]["hi"]
    assert all(chart["y"]["lo"] <= v <= chart["y"]["hi"] for v, _ in chart["y"]["ticks"])
    assert 10 ** chart["x"]["lo"] < 0.5 and 10 ** chart["x"]["hi"] > max(EPOCHS)


def test_a_training_log_without_elbo_gives_no_chart() -> None:
    assert elbo_chart([], [0, 1], "m") is None
    assert elbo_chart([{"epoch": 1, "loss": 170.0}], [0, 1], "m") is None


@needs_snapshots
def test_the_server_draws_the_elbo_chart_until_the_browser_is_known_to_run_the_live_one() -> None:
    at = open_page("replay", Z2)
    [chart] = at.get("plotly_chart")  # the no-script twin, at the epoch shown
    assert chart.proto.spec.count(f"epoch {EPOCHS[-1]}") == 1


@needs_snapshots
def test_the_live_pictures_hold_every_epochs_pictures_as_the_server_draws_them() -> None:
    """Each live picture (map, manifold) holds a frame per snapshot epoch: at each epoch, its frame is the picture
    the server draws there for a browser without the script (same PNG, alt text, caption and width)."""
    at = open_page("replay", Z2)
    maps, manifolds = frames_data(at, "live_replay_map"), frames_data(at, "live_replay_manifold")
    assert sorted(maps, key=int) == sorted(manifolds, key=int) == [str(e) for e in EPOCHS]
    for epoch in (EPOCHS[0], EPOCHS[len(EPOCHS) // 2]):
        at.select_slider(key="replay_epoch").set_value(epoch).run()
        served = [(p.src, p.alt, p.caption, p.width) for p in pictures(at.main)]
        live = [PICTURE.search(frame).groups() for frame in (maps[str(epoch)], manifolds[str(epoch)])]
        assert [(src, html.unescape(alt), html.unescape(caption), int(width)) for src, alt, width, caption in live] \
            == served
        assert mount_data(at, "live_replay_map")["value"] == epoch


@needs_snapshots
def test_a_release_of_the_live_epoch_slider_sets_the_epoch_and_a_value_off_its_options_is_dropped() -> None:
    """The live slider runs over the snapshots' positions and releases an epoch: Python takes it (the twin
    select_slider, the curve's marker), and no longer sends the server's own pictures (the browser runs the live
    ones); an epoch that has no snapshot, which only a browser could send, changes nothing."""
    at = open_page("replay", Z2)
    [slider] = mount_data(at, "live_replay_slider")["sliders"]
    assert (slider["min"], slider["max"], slider["options"]) == (0, len(EPOCHS) - 1, EPOCHS)
    send_trigger(at, "live_replay_slider", "release", {"replay_epoch": EPOCHS[-2]})
    assert at.select_slider(key="replay_epoch").value == EPOCHS[-2]
    assert mount_data(at, "live_replay_map")["value"] == EPOCHS[-2]
    assert mount_data(at, "live_replay_elbo")["value"] == EPOCHS[-2]
    assert not pictures(at.main), "the server's pictures are left out once the browser runs the live ones"
    assert not at.get("plotly_chart"), "and so is the server's ELBO chart"
    missing = next(e for e in range(max(EPOCHS)) if e not in EPOCHS)
    for sent in (missing, str(EPOCHS[2]), True):
        send_trigger(at, "live_replay_slider", "release", {"replay_epoch": sent})
        assert at.select_slider(key="replay_epoch").value == EPOCHS[-2]
