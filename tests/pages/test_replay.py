"""AppTest checks of the Training replay page: it renders at every snapshot epoch of the shipped mnist-z2, and
falls back to it from a model without snapshots; the ELBO curve's marker on its log axis."""

from __future__ import annotations

import math

import pytest

from tests.apptest import image_url, open_page
from vae_core.registry import PRETRAINED_DIR
from vae_core.snapshots import snapshot_epochs
from views import state_keys
from views.pages.replay import elbo_figure

Z2 = "mnist-z2"
EPOCHS = snapshot_epochs(PRETRAINED_DIR / Z2)
needs_snapshots = pytest.mark.skipif(not EPOCHS, reason="pretrained/mnist-z2 has no snapshots")


@needs_snapshots
def test_replay_renders_at_every_snapshot_epoch_and_the_manifold_changes() -> None:
    at = open_page("replay", Z2)
    slider = at.select_slider(key="replay_epoch")
    assert list(slider.options) == [str(e) for e in EPOCHS]
    manifold_urls = {}
    for epoch in EPOCHS:
        at.select_slider(key="replay_epoch").set_value(epoch).run()
        assert not at.exception, f"epoch {epoch}: {at.exception}"
        manifold_urls[epoch] = image_url(at, f"manifold at epoch {epoch}:")
        assert len(at.get("plotly_chart")) == 2  # the latent map and the ELBO curve
    assert manifold_urls[0] != manifold_urls[100]


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
    fig = elbo_figure(rows, 2)
    assert fig.layout.shapes[0].x0 == 2 and math.isclose(10 ** fig.layout.annotations[0].x, 2)
